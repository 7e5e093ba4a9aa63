/* gst-resilient tracer: GstStructure -> metrics::Record / JSON, redaction of
 * free text. Used on the tracer's own thread only. */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include <string>

#include "resilient/metrics/exposition.h"

namespace resilient::gst {

/* The numeric, boolean and string fields of `s`, lists of structures as
 * entries. Other field types are left out. */
metrics::Record record_from_structure (const GstStructure *s);

/* Adds `s`'s fields as members of the JSON object being built (strings
 * redacted with redact_text from common/messages.h). */
void json_add_structure_fields (JsonBuilder *b, const GstStructure *s);

} // namespace resilient::gst
