/* gst-resilient: GstCaps views of the one codec table
 * (lib/resilient/core/codec.h). */
#pragma once

#include "resilient/core/codec.h"

#include <gst/gst.h>

namespace resilient::gst {

/* The codec of the first structure of `caps`; nullptr for raw, unknown or
 * empty caps. */
const CodecInfo *codec_of_caps (const GstCaps *caps);

/* The codec of an appsrc's `caps` property; nullptr when unset or unknown. */
const CodecInfo *codec_of_appsrc (GstElement *appsrc);

} // namespace resilient::gst
