/* gst-resilient: small helpers shared by the elements' GObject shells. */
#pragma once

#include <gst/gst.h>

#include <string>

namespace resilient::gst {

/* Posts an element message whose structure takes ownership of `s`. Never
 * call with the element's own lock held. */
void post_element_message (GstElement * element, GstStructure * s);

/* Removes user:password and known secret query parameters (token, key,
 * passphrase, streamid secrets) from a URI so it can be logged or put in a
 * bus message. Returns the input unchanged when it does not parse. */
std::string redact_uri (const std::string & uri);

}  // namespace resilient::gst
