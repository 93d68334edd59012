import json
import logging
import logging.config

import pytest
from django.conf import settings

pytestmark = pytest.mark.unit


def test_errors_are_logged_as_one_json_object_per_line(capsys):
    config = settings.LOGGING | {"root": {"handlers": ["console"], "level": "INFO"}}
    config["handlers"] = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    }
    logging.config.dictConfig(config)
    try:
        try:
            raise ValueError("kapot")
        except ValueError:
            logging.getLogger("lerenmetdestad.test").exception(
                "sending failed", extra={"message_pk": 7}
            )
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        logging.config.dictConfig(settings.LOGGING)

    record = json.loads(line)
    assert (record["level"], record["logger"], record["message"], record["message_pk"]) == (
        "ERROR",
        "lerenmetdestad.test",
        "sending failed",
        7,
    )
    assert "ValueError: kapot" in record["exc_info"]
