/* gst-resilient: the payloaded chain of one reswhipsink input
 * (whipchainplan.cpp).
 *
 * For an input's caps: the encoder / parser / payloader description and
 * the RTP caps its transceiver prefers (payload type, SSRC, rtcp-fb, the
 * MID and transport-wide-cc header extensions). Raw video gets the first
 * codec of video-codecs whose encoder and payloader are installed. No
 * state; any thread.
 */
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

/* Payload types and header-extension ids (the same in every m-section of
 * the bundle). */
#define PT_VP8 96
#define PT_H264 102
#define PT_OPUS 111
#define EXT_ID_MID 1
#define EXT_ID_TWCC 3

#define DEFAULT_VIDEO_CODECS "h264,vp8"

namespace resilient::gst {

struct WhipChainSettings
{
  std::vector<std::string> video_codecs; /* upper case, in order */
  unsigned video_bitrate = 0;            /* kbit/s */
  unsigned audio_bitrate = 0;            /* kbit/s */
  unsigned keyframe_interval_ms = 0;
};

struct WhipChainPlan
{
  std::string desc;     /* gst_parse_bin_from_description, payloader "pay" */
  std::string rtp_caps; /* the transceiver's codec preferences */
  std::string codec;    /* "H264", "VP8", "OPUS" */
};

/* False with `error` for caps it cannot publish or a missing element. */
bool whip_plan_chain (GstCaps *caps, const WhipChainSettings &settings,
    WhipChainPlan &plan, std::string &error);

}  // namespace resilient::gst
