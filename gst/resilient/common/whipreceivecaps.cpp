/* gst-resilient: the codecs reswhepsrc can receive on this machine
 * (whipreceivecaps.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "common/whipreceivecaps.h"

#include "common/whipelement.h"
#include "resilient/core/codec.h"
#include "resilient/whip/sdp.h"

namespace resilient::gst {

using resilient::Codec;
using resilient::CodecInfo;
using resilient::codec_by_name;
using resilient::codec_info;

static bool
have (const char *a, const char *b = nullptr)
{
  GstElementFactory *f = gst_element_factory_find (a);
  if (!f)
    return false;
  gst_object_unref (f);
  if (!b)
    return true;
  f = gst_element_factory_find (b);
  if (!f)
    return false;
  gst_object_unref (f);
  return true;
}

static bool
have_decoder_for (const char *caps_str)
{
  GstCaps *caps = gst_caps_from_string (caps_str);
  GList *all = gst_element_factory_list_get_elements (
      GST_ELEMENT_FACTORY_TYPE_DECODER, GST_RANK_MARGINAL);
  GList *ok = gst_element_factory_list_filter (all, caps, GST_PAD_SINK,
      FALSE);
  bool found = ok != nullptr;
  gst_plugin_feature_list_free (ok);
  gst_plugin_feature_list_free (all);
  gst_caps_unref (caps);
  return found;
}

/* The codecs this element receives, with fixed payload types so the
 * offer is deterministic (H264 twice: constrained baseline and high). */
struct ReceiveFormat
{
  Codec codec;
  int payload;
  const char *fmtp;
};
static constexpr ReceiveFormat kReceiveFormats[] = {
  { Codec::H264, 102,
    ",packetization-mode=(string)1,profile-level-id=(string)42e01f,"
    "level-asymmetry-allowed=(string)1" },
  { Codec::H264, 104,
    ",packetization-mode=(string)1,profile-level-id=(string)640c1f,"
    "level-asymmetry-allowed=(string)1" },
  { Codec::VP8, 96, "" },
  { Codec::VP9, 98, "" },
  { Codec::Opus, 111, ",encoding-params=(string)2" },
  { Codec::PCMU, 0, "" },
  { Codec::PCMA, 8, "" },
};

/* The receive caps of one codec this element knows; `known` false for a
 * name it does not know, empty caps when this machine has no depayloader
 * or decoder for it. */
static GstCaps *
codec_receive_caps (const std::string &name, bool &known)
{
  GstCaps *caps = gst_caps_new_empty ();
  /* webrtcbin offers rtcp-fb transport-cc on its own; the header
   * extension makes that feedback possible (the sender numbers its
   * packets, webrtcbin answers with transport-wide feedback the sender's
   * congestion control needs), and the MID extension lets the sender name
   * its streams. The ids are reswhipsink's. */
  const std::string ext = std::string (",extmap-1=(string)")
      + resilient::whip::kSdesMidUri + ",extmap-3=(string)"
      + resilient::whip::kTwccUri;
  const std::string fb = ",rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli="
                         "(boolean)true,rtcp-fb-ccm-fir=(boolean)true" + ext;
  const CodecInfo *c = codec_by_name (name);
  known = false;
  for (const auto &f : kReceiveFormats) {
    if (!c || f.codec != c->codec)
      continue;
    known = true;
    if (!have (c->depayloader) || !have_decoder_for (c->caps_name))
      continue;
    std::string s = std::string ("application/x-rtp,media=")
        + (c->video ? "video" : "audio") + ",encoding-name="
        + c->encoding_name + ",clock-rate=" + std::to_string (c->clock_rate)
        + ",payload=" + std::to_string (f.payload) + f.fmtp
        + (c->video ? fb : ext);
    gst_caps_append_structure (caps,
                               gst_structure_from_string (s.c_str (), nullptr));
  }
  return caps;
}

static bool
is_video_codec (const std::string &name)
{
  const CodecInfo *c = codec_by_name (name);
  return c && c->video;
}

/* "h264, vp8, vp9" or "opus, pcmu, pcma": what an error message offers. */
static std::string
known_codecs (bool video)
{
  std::string list;
  const ReceiveFormat *last = nullptr;
  for (const auto &f : kReceiveFormats) {
    const CodecInfo &c = codec_info (f.codec);
    bool repeat = last && last->codec == f.codec;
    last = &f;
    if (c.video != video || repeat)
      continue;
    list += (list.empty () ? "" : ", ") + std::string (c.name);
  }
  return list;
}

/* Receive codec list for one kind, in the order of `order` (the
 * video-codecs or audio-codecs setting; validated by check_codecs). A
 * sender that follows the offer's order (browsers do) sends the first
 * codec it has. */
GstCaps *
whep_receive_caps (const char *kind, const std::string &order)
{
  GstCaps *caps = gst_caps_new_empty ();
  for (auto &c : whip_codec_list (order)) {
    if (is_video_codec (c) != g_str_equal (kind, "video"))
      continue;
    bool known;
    gst_caps_append (caps, codec_receive_caps (c, known));
  }
  return caps;
}

/* An unknown name, a codec of the other kind or an empty list is a
 * settings error naming the property. */
bool
whep_check_codecs (const char *property, const std::string &list, bool video,
              std::string &error)
{
  auto names = whip_codec_list (list);
  if (names.empty ()) {
    error = std::string (property) + " is empty: name at least one codec";
    return false;
  }
  for (auto &c : names) {
    bool known;
    GstCaps *caps = codec_receive_caps (c, known);
    gst_caps_unref (caps);
    if (!known || is_video_codec (c) != video) {
      error = std::string (property) + ": unknown "
              + (video ? "video" : "audio") + " codec '" + c + "' (known: "
              + known_codecs (video) + ")";
      return false;
    }
  }
  return true;
}

}  // namespace resilient::gst
