/* gst-resilient: the payloaded chain of one reswhipsink input
 * (whipchainplan.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "common/whipchainplan.h"

#include "resilient/whip/sdp.h"

#include <algorithm>

namespace resilient::gst {

static bool
have (const char *factory)
{
  GstElementFactory *f = gst_element_factory_find (factory);
  if (f)
    gst_object_unref (f);
  return f != nullptr;
}

/* The payloaders and RTP caps of one input. The SSRC is chosen here and
 * given to both the payloader and the transceiver's codec preferences, so
 * webrtcbin writes a=ssrc into the offer even before the payloader has
 * negotiated (a receiver routes by it). The MID and transport-wide-cc
 * header extensions are in the same caps: webrtcbin lists them as
 * a=extmap, the payloader writes them (auto-header-extension; the MID one
 * is ours, see reswhipsink's add_mid_extension) and webrtcbin's rtpfunnel numbers the
 * transport-wide sequence across the bundle; rtcp-fb transport-cc asks
 * the receiver for the feedback. */
struct RtpNames
{
  std::string h264_pay, vp8_pay, opus_pay;
  std::string h264_caps, vp8_caps, opus_caps;
};

static RtpNames
rtp_names ()
{
  const std::string fb = ",rtcp-fb-nack=(boolean)true,"
      "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true";
  guint32 ssrc = 0;
  while (ssrc == 0)
    ssrc = g_random_int ();
  const std::string ssrc_s = std::to_string (ssrc);
  const std::string ext = ",ssrc=(uint)" + ssrc_s
                          + ",rtcp-fb-transport-cc=(boolean)true,extmap-"
                          + std::to_string (EXT_ID_MID) + "=(string)"
                          + resilient::whip::kSdesMidUri + ",extmap-"
                          + std::to_string (EXT_ID_TWCC) + "=(string)"
                          + resilient::whip::kTwccUri;
  RtpNames n;
  n.h264_pay = std::string ("rtph264pay name=pay config-interval=-1 "
                            "aggregate-mode=zero-latency ssrc=")
               + ssrc_s + " pt=" + std::to_string (PT_H264);
  n.vp8_pay = std::string ("rtpvp8pay name=pay picture-id-mode=15-bit ssrc=")
              + ssrc_s + " pt=" + std::to_string (PT_VP8);
  n.opus_pay = std::string ("rtpopuspay name=pay ssrc=") + ssrc_s
               + " pt=" + std::to_string (PT_OPUS);
  n.h264_caps = "application/x-rtp,media=video,encoding-name=H264,"
                "clock-rate=90000,payload="
                + std::to_string (PT_H264) + ",packetization-mode=(string)1"
                + fb + ext;
  n.vp8_caps = "application/x-rtp,media=video,encoding-name=VP8,"
               "clock-rate=90000,payload="
               + std::to_string (PT_VP8) + fb + ext;
  n.opus_caps = "application/x-rtp,media=audio,encoding-name=OPUS,"
                "clock-rate=48000,encoding-params=(string)2,payload="
                + std::to_string (PT_OPUS) + ext;
  return n;
}

/* Raw video: the first of video-codecs with an encoder and payloader
 * installed. */
static bool
plan_raw_video (const GstStructure *s, const WhipChainSettings &st,
    const RtpNames &n, WhipChainPlan &plan, std::string &error)
{
  const unsigned vbitrate = st.video_bitrate, kf_ms = st.keyframe_interval_ms;
  int fps_n = 30, fps_d = 1;
  gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d);
  if (fps_n <= 0 || fps_d <= 0) {
    fps_n = 30;
    fps_d = 1;
  }
  unsigned kf_frames = std::max (1u, (unsigned) ((guint64) kf_ms * fps_n /
          fps_d / 1000));
  for (auto &c : st.video_codecs) {
    if (c == "H264" && have ("x264enc") && have ("rtph264pay")) {
      plan.desc = "videoconvert ! x264enc tune=zerolatency "
          "speed-preset=ultrafast bitrate=" + std::to_string (vbitrate)
          + " key-int-max=" + std::to_string (kf_frames)
          + " ! video/x-h264,profile=constrained-baseline ! " + n.h264_pay;
      plan.rtp_caps = n.h264_caps;
      plan.codec = "H264";
      return true;
    }
    if (c == "VP8" && have ("vp8enc") && have ("rtpvp8pay")) {
      plan.desc = "videoconvert ! vp8enc deadline=1 error-resilient=default "
          "cpu-used=8 end-usage=cbr target-bitrate="
          + std::to_string ((guint64) vbitrate * 1000)
          + " keyframe-max-dist=" + std::to_string (kf_frames)
          + " ! " + n.vp8_pay;
      plan.rtp_caps = n.vp8_caps;
      plan.codec = "VP8";
      return true;
    }
  }
  error = "no encoder for any of video-codecs (" + std::string (
      DEFAULT_VIDEO_CODECS) + " need x264enc or vp8enc)";
  return false;
}

/* The encoder / parser / payloader description for `caps` and the RTP
 * caps its transceiver prefers. */
bool
whip_plan_chain (GstCaps *caps, const WhipChainSettings &st,
    WhipChainPlan &plan, std::string &error)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  std::string name = gst_structure_get_name (s);
  const RtpNames n = rtp_names ();
  if (name == "video/x-raw")
    return plan_raw_video (s, st, n, plan, error);
  if (name == "video/x-h264") {
    plan.desc = "h264parse ! " + n.h264_pay;
    plan.rtp_caps = n.h264_caps;
    plan.codec = "H264";
  } else if (name == "video/x-vp8") {
    plan.desc = n.vp8_pay;
    plan.rtp_caps = n.vp8_caps;
    plan.codec = "VP8";
  } else if (name == "audio/x-raw") {
    if (!have ("opusenc")) {
      error = "opusenc is missing (gst-plugins-base)";
      return false;
    }
    const unsigned abitrate = st.audio_bitrate;
    plan.desc = "audioconvert ! audioresample ! opusenc bitrate="
           + std::to_string ((guint64)abitrate * 1000) + " ! " + n.opus_pay;
    plan.rtp_caps = n.opus_caps;
    plan.codec = "OPUS";
  } else if (name == "audio/x-opus") {
    plan.desc = "opusparse ! " + n.opus_pay;
    plan.rtp_caps = n.opus_caps;
    plan.codec = "OPUS";
  } else {
    error = "cannot publish " + name;
    return false;
  }
  return true;
}

}  // namespace resilient::gst
