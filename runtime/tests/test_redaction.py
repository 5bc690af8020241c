"""Personal codes never reach logs or exported spans in clear."""

import io
import json
import logging

from edu_runtime.logs import JsonFormatter
from edu_runtime.pseudonym import Pseudonymizer, redact_personal_codes
from edu_runtime.telemetry import RedactingExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


def test_redaction_masks_both_formats_but_not_other_numbers() -> None:
    text = "a 140386-11016 b 32123456789 c 2026-11-23 d 12345"
    assert redact_personal_codes(text) == "a [personal-code] b [personal-code] c 2026-11-23 d 12345"


def test_json_log_lines_mask_codes_in_message_and_extras() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("redaction-test")
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("looked up %s", "140386-11016", extra={"learner": "321234-56789"})
    line = json.loads(stream.getvalue())
    assert "140386" not in stream.getvalue()
    assert "321234" not in stream.getvalue()
    assert line["msg"] == "looked up [personal-code]"
    assert line["service"] == "test"


def test_exported_spans_have_codes_masked() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(RedactingExporter(memory)))
    with provider.get_tracer("t").start_as_current_span("GET /my-data") as span:
        span.set_attribute("http.url", "http://x/api/v1/my-data?person_code=140386-11016")
    (exported,) = memory.get_finished_spans()
    assert exported.attributes is not None
    assert exported.attributes["http.url"] == "http://x/api/v1/my-data?person_code=[personal-code]"


def test_pseudonyms_are_stable_per_key_and_hide_the_code() -> None:
    a, b = Pseudonymizer(b"k1"), Pseudonymizer(b"k2")
    assert a("140386-11016") == a("14038611016")
    assert a("140386-11016") != b("140386-11016")
    assert "140386" not in a("140386-11016")
