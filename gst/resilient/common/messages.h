/* gst-resilient: small helpers shared by the elements' GObject shells. */
#pragma once

#include <gst/gst.h>

#include <string>

namespace resilient::gst {

/* Posts an element message whose structure takes ownership of `s`. Never
 * call with the element's own lock held. */
void post_element_message (GstElement * element, GstStructure * s);

/* The one redaction (resilient::Redact, lib/resilient/core/redact.h, per
 * scheme rules): a URI with its userinfo, secret query parameters, RTMP
 * stream key and SRT streamid/passphrase replaced by `***`, so it can be
 * logged or put in a bus message, statistics or an error. */
std::string redact_uri (const std::string & uri);

/* Every URI and bearer token inside a free text (a child's error message
 * or debug string) redacted as redact_uri does. */
std::string redact_text (const std::string &text);

/* Registers a property's enum type once (any thread): the body of every
 * `*_get_type ()` of our enums. */
GType register_enum_once (GType *type, const char *name,
                          const GEnumValue *values);

}  // namespace resilient::gst
