/* gst-resilient: autorestoresink's encoder and codec helpers
 * (encoders.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/encoders.h"

#include "common/codecs.h"

namespace resilient::gst::autorestore {

using resilient::restore::EncoderCandidate;

/* The codec's short name (the one codec table, resilient/core/codec.h);
 * for raw or unknown caps their structure name, which no transport takes. */
std::string
codec_name_of_caps (const GstCaps *caps)
{
  if (!caps || gst_caps_get_size (caps) == 0)
    return {};
  if (const CodecInfo *c = resilient::gst::codec_of_caps (caps))
    return c->name;
  return gst_structure_get_name (gst_caps_get_structure (caps, 0));
}

/* The codec an encoder factory produces, from its src pad template. */
std::string
codec_of_factory (const std::string &factory_name)
{
  GstElementFactory *f = gst_element_factory_find (factory_name.c_str ());
  if (!f)
    return {};
  std::string codec;
  for (const GList *l = gst_element_factory_get_static_pad_templates (f); l;
       l = l->next) {
    auto *t = static_cast<GstStaticPadTemplate *> (l->data);
    if (t->direction != GST_PAD_SRC)
      continue;
    GstCaps *caps = gst_static_pad_template_get_caps (t);
    codec = codec_name_of_caps (caps);
    gst_caps_unref (caps);
    break;
  }
  gst_object_unref (f);
  return codec;
}

const char *
parser_for_codec (const std::string &codec)
{
  const CodecInfo *c = codec_by_name (codec);
  return c ? c->parser : nullptr;
}

void
set_if_exists (GstElement *e, const char *prop, const char *value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (e), prop))
    gst_util_set_object_arg (G_OBJECT (e), prop, value);
}

/* Applies bitrate (kbit/s) and keyframe interval (frames) in each known
 * encoder's own units. */
/* A destination is WHIP: H264 must be Constrained Baseline there (what
 * the offer's profile-level-id 42e01f announces and browsers decode). */
bool
publishes_whip (const std::string &locations)
{
  for (const char *scheme : { "whip://", "whips://", "http://", "https://" })
    if (locations.find (scheme) != std::string::npos)
      return true;
  return false;
}

void
configure_video_encoder (GstElement *enc, const std::string &factory,
                         guint kbps, guint gop_frames,
                         bool constrained_baseline)
{
  std::string k = std::to_string (kbps);
  std::string bps = std::to_string ((guint64)kbps * 1000);
  std::string g = std::to_string (gop_frames);
  if (factory == "x264enc") {
    set_if_exists (enc, "bitrate", k.c_str ());
    set_if_exists (enc, "key-int-max", g.c_str ());
    set_if_exists (enc, "tune", "zerolatency");
    set_if_exists (enc, "speed-preset", "veryfast");
    if (constrained_baseline)
      set_if_exists (enc, "option-string",
                     "weightp=0:cabac=0:8x8dct=0:bframes=0");
  } else if (factory == "vp8enc" || factory == "vp9enc") {
    set_if_exists (enc, "target-bitrate", bps.c_str ());
    set_if_exists (enc, "keyframe-max-dist", g.c_str ());
    set_if_exists (enc, "deadline", "1");
  } else if (factory == "openh264enc") {
    set_if_exists (enc, "bitrate", bps.c_str ());
    set_if_exists (enc, "gop-size", g.c_str ());
  } else {
    /* va, vaapi, nv, v4l2 and most others: kbit/s and key-int-max. */
    set_if_exists (enc, "bitrate", k.c_str ());
    set_if_exists (enc, "key-int-max", g.c_str ());
  }
}

void
configure_audio_encoder (GstElement *enc, guint kbps)
{
  GParamSpec *p
      = g_object_class_find_property (G_OBJECT_GET_CLASS (enc), "bitrate");
  if (!p)
    return;
  std::string bps = std::to_string ((guint64)kbps * 1000);
  gst_util_set_object_arg (G_OBJECT (enc), "bitrate", bps.c_str ());
}

GstElement *
make_element (const char *factory, std::string &error)
{
  GstElement *e = gst_element_factory_make (factory, nullptr);
  if (!e && error.empty ())
    error = std::string ("element '") + factory
            + "' is missing: install the GStreamer plugin that provides it";
  return e;
}

/* Whether the candidate's encoder is installed. */
bool
encoder_available (const EncoderCandidate &c)
{
  GstElementFactory *f = gst_element_factory_find (c.factory.c_str ());
  if (f)
    gst_object_unref (f);
  return f != nullptr;
}

} // namespace resilient::gst::autorestore
