/* gst-resilient: failoversrc mode=encoded, the filler (see
 * encodedfiller.h). */
#include "failover/encodedfiller.h"

#include "common/codecs.h"
#include "failover/outputstage.h"
#include "failover/private.h"

#include <gst/app/app.h>
#include <gst/video/video.h>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;

namespace resilient::gst::failoversrc {

namespace {

/* Half a second of silence at 1024 samples a buffer (an AAC frame): enough
 * for an encoder's start-up and flush to stay clear of the middle packet
 * that is kept. */
constexpr int SILENCE_BUFFERS = 25;
constexpr int SILENCE_SAMPLES = 1024;
/* Two pictures, each forced to a keyframe (slate_units keeps both). */
constexpr int SLATE_PICTURES = 2;
/* A tick puts out at most this many units per stream (catching up after a
 * late tick without holding the loop). */
constexpr int MAX_UNITS_PER_TICK[2] = { 4, 16 };

/* Caps fields that say how the stream is laid out, not how this encoder
 * instance chose to code it: the slate keeps them, so the output's muxer
 * and decoder see the same stream format and size. */
constexpr const char *FORMAT_FIELDS[]
    = { "stream-format", "alignment", "mpegversion", "width",
        "height",        "rate",      "channels",    "channel-mapping-family" };

/* The output caps reduced to FORMAT_FIELDS: what the slate's encoder must
 * produce (and, stripped to name and mpegversion, what finds it). */
GstCaps *
slate_target (const GstCaps *out)
{
  const GstStructure *s = gst_caps_get_structure (out, 0);
  GstStructure *t = gst_structure_new_empty (gst_structure_get_name (s));
  for (const char *f : FORMAT_FIELDS)
    if (const GValue *v = gst_structure_get_value (s, f))
      gst_structure_set_value (t, f, v);
  GstCaps *caps = gst_caps_new_empty ();
  gst_caps_append_structure (caps, t);
  return caps;
}

/* The highest-ranked installed encoder whose output can be `target`'s
 * codec; "" when none. */
std::string
find_encoder (const GstCaps *target, bool video)
{
  GstCaps *want = gst_caps_copy (target);
  GstStructure *s = gst_caps_get_structure (want, 0);
  for (const char *f : FORMAT_FIELDS)
    if (!g_str_equal (f, "mpegversion"))
      gst_structure_remove_field (s, f);
  GList *all = gst_element_factory_list_get_elements (
      GST_ELEMENT_FACTORY_TYPE_ENCODER
          | (video ? GST_ELEMENT_FACTORY_TYPE_MEDIA_VIDEO
                   : GST_ELEMENT_FACTORY_TYPE_MEDIA_AUDIO),
      GST_RANK_MARGINAL);
  GList *fit = gst_element_factory_list_filter (all, want, GST_PAD_SRC, FALSE);
  fit = g_list_sort (fit, (GCompareFunc)gst_plugin_feature_rank_compare_func);
  std::string name = fit ? GST_OBJECT_NAME (fit->data) : "";
  gst_plugin_feature_list_free (fit);
  gst_plugin_feature_list_free (all);
  gst_caps_unref (want);
  return name;
}

int
int_field (const GstStructure *s, const char *f, int def)
{
  int v = 0;
  return gst_structure_get_int (s, f, &v) && v > 0 ? v : def;
}

/* The raw input of the encoding: black or the image at the output's size,
 * or silence at its rate and channels. */
std::string
raw_source (const GstCaps *out, bool video, bool image)
{
  const GstStructure *s = gst_caps_get_structure (out, 0);
  if (!video)
    return "audiotestsrc wave=silence num-buffers="
           + std::to_string (SILENCE_BUFFERS) + " samplesperbuffer="
           + std::to_string (SILENCE_SAMPLES) + " ! audio/x-raw,rate="
           + std::to_string (int_field (s, "rate", 48000))
           + ",channels=" + std::to_string (int_field (s, "channels", 2))
           + " ! audioconvert ! audioresample";
  int fn = 0, fd = 1;
  if (!gst_structure_get_fraction (s, "framerate", &fn, &fd) || fn <= 0)
    fn = 30, fd = 1;
  const std::string raw
      = "video/x-raw,width=" + std::to_string (int_field (s, "width", 1280))
        + ",height=" + std::to_string (int_field (s, "height", 720))
        + ",pixel-aspect-ratio=1/1,framerate=" + std::to_string (fn) + "/"
        + std::to_string (fd);
  const std::string n = std::to_string (SLATE_PICTURES);
  if (image)
    return "filesrc name=file ! decodebin ! videoconvert ! imagefreeze "
           "num-buffers="
           + n + " ! videoconvert ! videoscale ! " + raw + " ! videoconvert";
  return "videotestsrc pattern=black num-buffers=" + n + " ! " + raw
         + " ! videoconvert";
}

/* Every picture into the encoder is asked to be a keyframe (a repeated
 * delta unit would not decode). Streaming thread of the slate's own
 * pipeline. */
GstPadProbeReturn
force_keyframe (GstPad *pad, GstPadProbeInfo *, gpointer)
{
  gst_pad_send_event (pad, gst_video_event_new_downstream_force_key_unit (
                               GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE,
                               GST_CLOCK_TIME_NONE, TRUE, 0));
  return GST_PAD_PROBE_OK;
}

/* An encoder property with a "zerolatency" value (x264enc, x265enc) is set
 * to it: no reordering delay signalled for a stream of keyframes. */
void
prefer_zerolatency (GstElement *enc)
{
  GParamSpec *p
      = g_object_class_find_property (G_OBJECT_GET_CLASS (enc), "tune");
  if (!p)
    return;
  if (G_IS_PARAM_SPEC_FLAGS (p)
      && g_flags_get_value_by_nick (G_PARAM_SPEC_FLAGS (p)->flags_class,
                                    "zerolatency"))
    gst_util_set_object_arg (G_OBJECT (enc), "tune", "zerolatency");
  else if (G_IS_PARAM_SPEC_ENUM (p)
           && g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (p)->enum_class,
                                        "zerolatency"))
    gst_util_set_object_arg (G_OBJECT (enc), "tune", "zerolatency");
}

void
drop_job (SlateStream &ss)
{
  if (ss.pipe) {
    gst_element_set_state (ss.pipe, GST_STATE_NULL);
    gst_clear_object (&ss.sink);
    gst_clear_object (&ss.pipe);
  }
  for (GstSample *s : ss.collected)
    gst_sample_unref (s);
  ss.collected.clear ();
}

void
drop_slate (SlateStream &ss)
{
  for (GstBuffer *b : ss.units)
    gst_buffer_unref (b);
  ss.units.clear ();
  gst_clear_caps (&ss.caps);
}

/* The encoding's pipeline, "" and `why` when it cannot be built. */
GstElement *
build_job (SlateStream &ss, const GstCaps *out, bool video,
           const std::string &image, std::string &why)
{
  GstCaps *target = slate_target (out);
  const CodecInfo *codec = codec_of_caps (target);
  ss.codec = codec
                 ? codec->name
                 : gst_structure_get_name (gst_caps_get_structure (target, 0));
  ss.encoder = find_encoder (target, video);
  ss.from_image = video && !image.empty () && !ss.image_failed;
  GstElement *pipe = nullptr;
  if (ss.encoder.empty ()) {
    why = "no " + ss.codec + " encoder is installed";
  } else {
    gchar *tstr = gst_caps_to_string (target);
    std::string desc = raw_source (out, video, ss.from_image) + " ! "
                       + ss.encoder + " name=enc ! "
                       + (codec && codec->parser
                              ? std::string (codec->parser) + " name=parse ! "
                              : "")
                       + "capsfilter caps=\"" + tstr
                       + "\" ! appsink name=sink sync=false";
    g_free (tstr);
    GError *err = nullptr;
    pipe = gst_parse_launch (desc.c_str (), &err);
    if (!pipe || err) {
      why = std::string ("cannot build '") + desc
            + "': " + (err ? err->message : "?");
      gst_clear_object (&pipe);
    }
    g_clear_error (&err);
  }
  gst_caps_unref (target);
  return pipe;
}

/* Starts the encoding for output caps `out`; false (and `why`) when it
 * cannot start. */
bool
start_job (GstFailoverSrc *self, SlateStream &ss, const GstCaps *out,
           bool video, const std::string &image, std::string &why)
{
  GstElement *pipe = build_job (ss, out, video, image, why);
  if (!pipe)
    return false;
  auto child = [pipe] (const char *name) {
    return gst_bin_get_by_name (GST_BIN (pipe), name);
  };
  if (GstElement *file = ss.from_image ? child ("file") : nullptr) {
    g_object_set (file, "location", image.c_str (), nullptr);
    gst_object_unref (file);
  }
  GstElement *enc = child ("enc");
  prefer_zerolatency (enc);
  if (video) {
    GstPad *sinkpad = gst_element_get_static_pad (enc, "sink");
    gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, force_keyframe,
                       nullptr, nullptr);
    gst_object_unref (sinkpad);
  }
  gst_object_unref (enc);
  if (GstElement *parse = child ("parse")) {
    /* Parameter sets in-band before every keyframe, as the candidates'. */
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (parse),
                                      "config-interval"))
      g_object_set (parse, "config-interval", -1, nullptr);
    gst_object_unref (parse);
  }
  ss.pipe = pipe;
  ss.sink = child ("sink");
  if (gst_element_set_state (pipe, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    why = "the " + ss.encoder + " pipeline did not start";
    drop_job (ss);
    return false;
  }
  GST_INFO_OBJECT (self, "encoding a %s slate with %s%s", ss.codec.c_str (),
                   ss.encoder.c_str (), ss.from_image ? " from the image" : "");
  return true;
}

/* The finished encoding's units chosen as the slate (slate_units);
 * returns how many. */
std::size_t
take_units (SlateStream &ss, bool video)
{
  std::vector<bool> key;
  for (GstSample *s : ss.collected)
    key.push_back (!GST_BUFFER_FLAG_IS_SET (gst_sample_get_buffer (s),
                                            GST_BUFFER_FLAG_DELTA_UNIT));
  std::vector<std::size_t> pick = slate_units (key, video);
  if (pick.empty ())
    return 0;
  drop_slate (ss);
  for (std::size_t i : pick) {
    GstBuffer *b = gst_sample_get_buffer (ss.collected[i]);
    /* Audio repeats back to back: a packet needs its length. */
    if (!video && !GST_BUFFER_DURATION_IS_VALID (b))
      continue;
    ss.units.push_back (gst_buffer_ref (b));
  }
  if (ss.units.empty ())
    return 0;
  ss.caps = gst_caps_ref (gst_sample_get_caps (ss.collected[pick[0]]));
  return ss.units.size ();
}

} // namespace

EncodedFiller::~EncodedFiller ()
{
  for (SlateStream &ss : s) {
    drop_job (ss);
    drop_slate (ss);
    gst_clear_caps (&ss.keyed);
  }
}

namespace {

/* A slate that cannot be made: a WARNING and the element message; the
 * stream carries nothing while on filler. A fallback image that did not
 * encode is replaced by black (tried next tick) instead. */
void
report_unavailable (GstFailoverSrc *self, SlateStream &ss, int st,
                    const std::string &why)
{
  if (ss.from_image && !ss.encoder.empty ()) {
    ss.image_failed = true;
    GST_ELEMENT_WARNING (self, RESOURCE, READ,
                         ("Cannot encode fallback-image as the %s filler; "
                          "black is used instead.",
                          ss.codec.c_str ()),
                         ("%s", why.c_str ()));
    return;
  }
  GST_ELEMENT_WARNING (self, STREAM, ENCODE,
                       ("No %s filler: while nothing is healthy the %s pad "
                        "carries nothing.",
                        ss.codec.c_str (), stream_names[st]),
                       ("%s", why.c_str ()));
  gst_element_post_message (
      GST_ELEMENT (self),
      gst_message_new_element (
          GST_OBJECT (self),
          gst_structure_new ("failoversrc-filler-unavailable", "stream",
                             G_TYPE_STRING, stream_names[st], "codec",
                             G_TYPE_STRING, ss.codec.c_str (), "detail",
                             G_TYPE_STRING, why.c_str (), nullptr)));
}

/* Drains the running encoding; at its end the slate is taken. */
void
poll_job (GstFailoverSrc *self, SlateStream &ss, int st)
{
  while (GstSample *s
         = gst_app_sink_try_pull_sample (GST_APP_SINK (ss.sink), 0))
    ss.collected.push_back (s);
  std::string why;
  GstBus *bus = gst_element_get_bus (ss.pipe);
  if (GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR)) {
    GError *err = nullptr;
    gst_message_parse_error (m, &err, nullptr);
    why = ss.encoder + ": " + (err ? err->message : "error");
    g_clear_error (&err);
    gst_message_unref (m);
  }
  gst_object_unref (bus);
  if (why.empty () && !gst_app_sink_is_eos (GST_APP_SINK (ss.sink)))
    return;
  std::size_t n = why.empty () ? take_units (ss, st == VIDEO) : 0;
  if (why.empty () && n == 0)
    why = ss.encoder + " put out no usable unit";
  drop_job (ss);
  if (ss.rule.finished (n))
    report_unavailable (self, ss, st, why);
  else if (n)
    GST_INFO_OBJECT (self, "%s slate ready: %zu unit(s), %s", stream_names[st],
                     n, ss.rule.made_for ().c_str ());
}

/* The stream's format key (Slate::tick) and its output caps, "" while
 * none. */
std::string
stream_format (GstFailoverSrc *self, SlateStream &ss, int st, GstCaps *&out,
               std::string &image)
{
  {
    OutputStream &o = self->priv->output.out[st];
    std::lock_guard<std::mutex> g (o.lock);
    if (!o.caps || gst_caps_is_empty (o.caps))
      return "";
    out = gst_caps_ref (o.caps);
  }
  if (st == VIDEO) {
    std::lock_guard<std::mutex> g (self->priv->settings_lock);
    image = self->priv->settings.fallback_image;
  }
  /* The output caps change rarely: their key is kept with a reference. */
  if (out != ss.keyed) {
    GstCaps *t = slate_target (out);
    gchar *str = gst_caps_to_string (t);
    ss.key = str;
    g_free (str);
    gst_caps_unref (t);
    gst_caps_replace (&ss.keyed, out);
  }
  std::string key = ss.key;
  if (!image.empty () && !ss.image_failed)
    key += " image";
  return key;
}

/* When stream `st`'s next slate unit is due (on filler, up to `now`). */
std::optional<TimePoint>
slate_due (GstFailoverSrc *self, int st, GstClockTime now)
{
  auto *priv = self->priv;
  OutputTimeline::FillerInput in;
  in.now = from_ns (now);
  in.on_filler = true;
  in.frame = st == VIDEO ? kSlateVideoInterval : Duration{};
  in.latency = from_ns (priv->latency_ns.load ());
  OutputStream &o = priv->output.out[st];
  std::lock_guard<std::mutex> g (o.lock);
  return o.timeline.filler_due (in);
}

/* One slate unit of `st` out at `due` (a video unit lasting `length`);
 * false when it was refused. */
bool
push_unit (GstFailoverSrc *self, SlateStream &ss, int st, TimePoint due,
           Duration length = kSlateVideoInterval)
{
  GstBuffer *buf = gst_buffer_copy (ss.units[ss.rule.next_unit ()]);
  GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = to_ns (due);
  if (st == VIDEO)
    GST_BUFFER_DURATION (buf) = to_ns (length);
  GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  return push_encoded (self, st, buf, to_ns (due), kFillerSource, -1, ss.caps);
}

/* The due slate units of the streams with a unit budget (`left`) out, in
 * time order across the streams: a muxer behind takes what is due in
 * order, and catching up one stream after the other after a late tick
 * would put one stream's units behind the other's already muxed. */
void
push_slates (GstFailoverSrc *self, GstClockTime now, int (&left)[2])
{
  for (;;) {
    std::optional<TimePoint> due[2];
    for (int st = 0; st < 2; st++)
      if (left[st] > 0)
        due[st] = slate_due (self, st, now);
    const int st = due[VIDEO] && (!due[AUDIO] || *due[VIDEO] <= *due[AUDIO])
                       ? VIDEO
                       : AUDIO;
    if (!due[st])
      return;
    if (!push_unit (self, self->priv->enc_filler.s[st], st, *due[st]))
      left[st] = 0;
    else
      left[st]--;
  }
}

} // namespace

void
encoded_filler_tick (GstFailoverSrc *self, GstClockTime now)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  int left[2] = { 0, 0 }; /* units each stream may put out now */
  for (int st = 0; st < 2; st++) {
    SlateStream &ss = priv->enc_filler.s[st];
    GstCaps *out = nullptr;
    std::string image;
    const std::string fmt = stream_format (self, ss, st, out, image);
    std::string why;
    switch (ss.rule.tick (fmt, tp (now))) {
    case Slate::Step::Encode:
      if (!start_job (self, ss, out, st == VIDEO, image, why)
          && ss.rule.finished (0))
        report_unavailable (self, ss, st, why);
      break;
    case Slate::Step::Abandon:
      drop_job (ss);
      if (ss.rule.finished (0))
        report_unavailable (self, ss, st,
                            ss.encoder + " did not finish the slate in time");
      break;
    case Slate::Step::None:
      break;
    }
    if (out)
      gst_caps_unref (out);
    if (ss.pipe)
      poll_job (self, ss, st);
    if (priv->active_source.load () == kFillerSource && ss.rule.ready ()
        && priv->output.enabled[st].load ())
      left[st] = MAX_UNITS_PER_TICK[st];
  }
  push_slates (self, now, left);
}

namespace {

/* The output video's frame duration. Loop thread. */
Duration
output_frame (GstFailoverSrc *self)
{
  OutputStream &o = self->priv->output.out[VIDEO];
  std::lock_guard<std::mutex> g (o.lock);
  return from_ns (frame_duration (o));
}

/* Whether stream `st` is on filler with a slate to repeat; `last` is the
 * decode time of its last unit. */
bool
closable (GstFailoverSrc *self, int st, std::optional<TimePoint> &last)
{
  auto *priv = self->priv;
  OutputStream &o = priv->output.out[st];
  {
    std::lock_guard<std::mutex> g (o.lock);
    if (!o.timeline.filler_end ())
      return false;
    last = o.last_dts;
  }
  return priv->enc_filler.s[st].rule.ready ()
         && priv->output.enabled[st].load ();
}

} // namespace

void
encoded_filler_close (GstFailoverSrc *self, GstClockTime until)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  std::optional<TimePoint> last[2];
  const bool video = closable (self, VIDEO, last[VIDEO]);
  const bool audio = closable (self, AUDIO, last[AUDIO]);
  /* The video's closing slate a frame before the cut (closing_slate_at). */
  std::optional<TimePoint> closing;
  if (video)
    closing = closing_slate_at (last[VIDEO], tp (until), output_frame (self));
  /* A bound: a second of AAC frames (a lag beyond `latency` is not filled
   * anyway: filler_due jumps to `until`). Audio up to the closing slate,
   * the slate, then audio up to the cut: in time order across the
   * streams. */
  int left[2] = { 0, audio ? 50 : 0 };
  if (closing) {
    push_slates (self, to_ns (*closing), left);
    push_unit (self, priv->enc_filler.s[VIDEO], VIDEO, *closing,
               tp (until) - *closing);
  }
  push_slates (self, until, left);
}

void
encoded_filler_reset (GstFailoverSrc *self)
{
  for (SlateStream &ss : self->priv->enc_filler.s) {
    drop_job (ss);
    drop_slate (ss);
    gst_clear_caps (&ss.keyed);
    ss.rule.reset ();
    ss.image_failed = false;
  }
}

} // namespace resilient::gst::failoversrc
