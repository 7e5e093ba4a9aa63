/* gst-resilient: the codecs reswhepsrc can receive on this machine
 * (whipreceivecaps.cpp).
 *
 * Fixed payload types (so the offer is deterministic), the MID and
 * transport-wide-cc header extensions and rtcp-fb per codec; a codec is
 * offered only when its depayloader and a decoder are installed. No
 * state; any thread.
 */
#pragma once

#include <gst/gst.h>

#include <string>

namespace resilient::gst {

/* Receive caps for `kind` ("video" or "audio") in the order of `order`
 * (video-codecs or audio-codecs; checked by whep_check_codecs). A sender
 * that follows the offer's order (browsers do) sends the first codec it
 * has. */
GstCaps *whep_receive_caps (const char *kind, const std::string &order);

/* An unknown name, a codec of the other kind or an empty list is a
 * settings error naming `property`. */
bool whep_check_codecs (const char *property, const std::string &list,
    bool video, std::string &error);

}  // namespace resilient::gst
