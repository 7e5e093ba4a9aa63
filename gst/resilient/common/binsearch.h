/* gst-resilient: finding the elements a bin made itself (webrtcbin inside
 * reswhipsink, srtpenc and nicesink inside a viewer's webrtcbin) by their
 * factory, at any depth. */
#pragma once

#include <gst/gst.h>

namespace resilient::gst {

/* The first element of `factory` in `bin` (any depth), a ref, or nullptr;
 * `count` (when given) gets how many there are. */
GstElement *find_by_factory (GstBin *bin, const char *factory,
                             int *count = nullptr);

} // namespace resilient::gst
