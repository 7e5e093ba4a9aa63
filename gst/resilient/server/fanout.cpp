/* gst-resilient server side: reswhepserversink's one encode, handed to
 * every viewer. */
#include "server/fanout.h"

#include <gst/rtp/rtp.h>
#include <gst/video/video.h>

#include <sstream>

namespace resilient::gst::server {

using namespace whepsink;

FanOut::Out::Out (GstElement *src, int p, std::string profile,
                  std::shared_ptr<std::atomic<int>> join_queue, guint max,
                  std::shared_ptr<DirectSend> direct_send)
    : appsrc (GST_ELEMENT (gst_object_ref (src))), pt (p),
      caps_gen (std::make_shared<std::atomic<std::uint64_t>> (0)),
      plid (std::move (profile)), join (std::move (join_queue)),
      max_buffers (max), direct (std::move (direct_send))
{
}

FanOut::Out::Out (const Out &o)
    : appsrc (GST_ELEMENT (gst_object_ref (o.appsrc))), pt (o.pt),
      caps_gen (o.caps_gen), plid (o.plid), join (o.join),
      max_buffers (o.max_buffers), direct (o.direct)
{
}

FanOut::Out::~Out () { gst_object_unref (appsrc); }

FanOut::~FanOut ()
{
  for (Kind *k : { &video_, &audio_ }) {
    if (k->encoder)
      gst_object_unref (k->encoder);
    gst_caps_replace (&k->caps, nullptr);
  }
}

/* The payloader's caps as one viewer gets them: its payload type, and for
 * H264 the profile-level-id its offer named (we send Constrained
 * Baseline, which every 42xxxx receiver decodes; webrtcbin answers from
 * the pad's caps, and a level of our own would not intersect the offer's
 * format, leaving the m-line inactive). */
static GstCaps *
viewer_caps (GstCaps *payloader, int pt, const std::string &plid)
{
  GstCaps *c = gst_caps_copy (payloader);
  gst_caps_set_simple (c, "payload", G_TYPE_INT, pt, NULL);
  GstStructure *st = gst_caps_get_structure (c, 0);
  if (!plid.empty ()
      && g_strcmp0 (gst_structure_get_string (st, "encoding-name"), "H264")
             == 0) {
    gst_structure_set (st, "profile-level-id", G_TYPE_STRING, plid.c_str (),
                       NULL);
    /* webrtcbin reads the offer's profile-level-id as a `profile` name;
     * ours would only narrow the match */
    gst_structure_remove_field (st, "profile");
  }
  return c;
}

/* One packet for every payload type the viewers chose: the packet itself
 * for viewers that took ours, else one rewritten copy per distinct type
 * (not one per viewer), shared by every viewer that chose it. */
class PayloadTypes
{
public:
  explicit PayloadTypes (GstBuffer *buf) : buf_ (buf)
  {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp)) {
      pt_ = gst_rtp_buffer_get_payload_type (&rtp);
      gst_rtp_buffer_unmap (&rtp);
    }
  }
  ~PayloadTypes ()
  {
    for (auto &[pt, copy] : copies_)
      gst_buffer_unref (copy);
  }
  PayloadTypes (const PayloadTypes &) = delete;
  PayloadTypes &operator= (const PayloadTypes &) = delete;

  /* A reference to the packet with payload type `pt`. */
  GstBuffer *with (int pt)
  {
    if (pt == pt_ || pt_ < 0)
      return gst_buffer_ref (buf_);
    for (auto &[p, copy] : copies_)
      if (p == pt)
        return gst_buffer_ref (copy);
    GstBuffer *copy = gst_buffer_copy_deep (buf_);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (gst_rtp_buffer_map (copy, GST_MAP_WRITE, &rtp)) {
      gst_rtp_buffer_set_payload_type (&rtp, (guint8)pt);
      gst_rtp_buffer_unmap (&rtp);
    }
    copies_.emplace_back (pt, copy);
    return gst_buffer_ref (copy);
  }

private:
  GstBuffer *buf_; /* not a ref */
  int pt_ = -1;
  std::vector<std::pair<int, GstBuffer *>> copies_; /* refs */
};

/* A viewer whose direct path is ready takes a kind's packets there once
 * that kind's appsrc has drained (what it held went out through webrtcbin
 * first, in order) and webrtcbin has sent one of them (DirectSend::
 * activate); true when the packet went that way. */
static bool
send_direct (const FanOut::Out &o, bool video, PayloadTypes &packet)
{
  DirectSend::Phase phase = o.direct->phase (video);
  if (phase == DirectSend::WAITING
      || (phase == DirectSend::READY
          && gst_app_src_get_current_level_buffers (GST_APP_SRC (o.appsrc))
                 > 0))
    return false;
  GstBuffer *b = packet.with (o.pt);
  bool direct = phase == DirectSend::ACTIVE || o.direct->activate (video, b);
  if (direct)
    o.direct->send (video, b);
  gst_buffer_unref (b);
  return direct;
}

static void
push_to (const FanOut::Out &o, bool video, PayloadTypes &packet,
         GstCaps *caps, std::uint64_t gen)
{
  if (o.direct && send_direct (o, video, packet))
    return;
  if (caps && o.caps_gen->exchange (gen) != gen) {
    GstCaps *c = viewer_caps (caps, o.pt, o.plid);
    gst_app_src_set_caps (GST_APP_SRC (o.appsrc), c);
    gst_caps_unref (c);
  }
  /* a joining viewer whose queue is full loses its oldest packets now */
  if (o.join
      && o.join->load (std::memory_order_relaxed) == FanOut::JOIN_WATCHING
      && gst_app_src_get_current_level_buffers (GST_APP_SRC (o.appsrc))
             >= o.max_buffers) {
    int watching = FanOut::JOIN_WATCHING;
    o.join->compare_exchange_strong (watching, FanOut::JOIN_OVERFLOWED);
  }
  /* never blocks: the appsrc drops its oldest buffers when a viewer
   * cannot keep up */
  gst_app_src_push_buffer (GST_APP_SRC (o.appsrc), packet.with (o.pt));
}

/* Streaming thread (an appsink's). */
GstFlowReturn
FanOut::on_new_sample (GstAppSink *sink, gpointer user_data)
{
  auto *ctx = static_cast<SinkCtx *> (user_data);
  GstSample *sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_EOS;
  ctx->fanout->push (ctx->video, sample);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

void
FanOut::push (bool video, GstSample *sample)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  OutList outs;
  GstCaps *cur = nullptr;
  std::uint64_t gen = 0;
  {
    std::lock_guard<std::mutex> g (lock_);
    Kind &k = kind (video);
    if (caps && (!k.caps || !gst_caps_is_equal (k.caps, caps))) {
      gst_caps_replace (&k.caps, caps);
      k.caps_gen++;
    }
    cur = k.caps ? gst_caps_ref (k.caps) : nullptr;
    gen = k.caps_gen;
    outs = k.outs;
  }
  GstBuffer *buf = gst_sample_get_buffer (sample);
  const GstSegment *seg = gst_sample_get_segment (sample);
  if (buf && !outs->empty ()) {
    /* Viewers' pipelines share our clock and base time: their buffers
     * carry our running time (x264enc's 1000 h offset and the upstream
     * segment do not reach them, or a syncing sink inside webrtcbin would
     * wait for them). One shallow copy per packet, not per viewer, and
     * one rewritten copy per other payload type the viewers chose. */
    GstBuffer *rt = gst_buffer_copy (buf);
    if (seg && seg->format == GST_FORMAT_TIME) {
      GST_BUFFER_PTS (rt) = gst_segment_to_running_time (seg, GST_FORMAT_TIME,
                                                         GST_BUFFER_PTS (buf));
      GST_BUFFER_DTS (rt) = GST_BUFFER_DTS_IS_VALID (buf)
                                ? gst_segment_to_running_time (
                                    seg, GST_FORMAT_TIME, GST_BUFFER_DTS (buf))
                                : GST_CLOCK_TIME_NONE;
    }
    {
      PayloadTypes packet (rt);
      for (const Out &o : *outs)
        push_to (o, video, packet, cur, gen);
    }
    gst_buffer_unref (rt);
  }
  if (cur)
    gst_caps_unref (cur);
}

/* The payloader of a kind, with the RTP settings every viewer shares. */
static std::string
payloader (bool video, const Settings &s, guint ssrc)
{
  std::ostringstream d;
  if (!video)
    d << "rtpopuspay pt=" << AUDIO_PT;
  else if (s.vp8 ())
    d << "rtpvp8pay picture-id-mode=15-bit pt=" << VIDEO_PT;
  else
    d << "rtph264pay config-interval=-1 aggregate-mode=zero-latency pt="
      << VIDEO_PT;
  d << " mtu=1200 ssrc=" << ssrc << " ! appsink name=out";
  return d.str ();
}

/* Raw input: convert and encode once. The element named `enc` takes the
 * keyframe requests. */
static std::string
encode_description (bool video, const Settings &s)
{
  std::ostringstream d;
  if (!video)
    return "queue max-size-buffers=10 max-size-time=0 max-size-bytes=0 ! "
           "audioconvert ! audioresample ! opusenc name=enc ! ";
  d << "queue max-size-buffers=3 max-size-time=0 max-size-bytes=0 ! "
       "videoconvert ! ";
  if (s.vp8 ())
    d << "vp8enc name=enc deadline=1 cpu-used=8 lag-in-frames=0 "
         "error-resilient=partitions keyframe-max-dist="
      << KEYFRAME_MAX_DIST << " target-bitrate=" << s.video_bitrate * 1000
      << " ! ";
  else
    d << "x264enc name=enc tune=zerolatency speed-preset=ultrafast "
         "key-int-max="
      << KEYFRAME_MAX_DIST << " bitrate=" << s.video_bitrate
      << " ! video/x-h264,profile=constrained-baseline ! ";
  return d.str ();
}

/* Encoded input (already in the served codec): parsed by the codec
 * table's parser (H264: SPS/PPS with every keyframe, so a joining viewer
 * can decode; VP8 needs none) and payloaded as it is. The keyframe
 * requests go upstream from `enc`, to whatever encoder feeds the element. */
static std::string
pass_description (bool video, const Settings &s)
{
  const resilient::CodecInfo &c = resilient::codec_info (s.served (video));
  std::ostringstream d;
  d << "queue " << (c.parser ? "" : "name=enc ")
    << "max-size-buffers=" << (video ? 30 : 10)
    << " max-size-time=0 max-size-bytes=0 ! ";
  if (c.parser)
    d << c.parser << " name=enc"
      << (s.served (video) == resilient::Codec::H264
              ? " config-interval=-1 ! video/x-h264,stream-format=byte-stream,"
                "alignment=au"
              : "")
      << " ! ";
  return d.str ();
}

static std::string
chain_description (bool video, const Settings &s, guint ssrc, bool encoded)
{
  return (encoded ? pass_description (video, s) : encode_description (video, s))
         + payloader (video, s, ssrc);
}

bool
FanOut::build (GstBin *parent, GstPad *ghost, bool video, const Settings &s,
               std::string &error, bool encoded)
{
  guint ssrc;
  {
    std::lock_guard<std::mutex> g (lock_);
    /* a chain rebuilt for another kind of input keeps the SSRC the
     * viewers already know */
    if (!kind (video).ssrc)
      kind (video).ssrc = g_random_int_range (1, G_MAXINT32);
    ssrc = kind (video).ssrc;
  }
  GError *err = nullptr;
  GstElement *bin = gst_parse_bin_from_description_full (
      chain_description (video, s, ssrc, encoded).c_str (), TRUE, nullptr,
      GST_PARSE_FLAG_FATAL_ERRORS, &err);
  if (!bin) {
    error = std::string ("cannot build the ") + (video ? "video" : "audio")
            + (encoded ? " parser" : " encoder")
            + " chain: " + (err ? err->message : "unknown error");
    g_clear_error (&err);
    return false;
  }
  Kind &k = kind (video);
  k.bin = bin;
  k.encoded = encoded;
  k.encoder = gst_bin_get_by_name (GST_BIN (bin), "enc");
  GstElement *appsink = gst_bin_get_by_name (GST_BIN (bin), "out");
  gst_object_unref (appsink); /* owned by bin */
  g_object_set (appsink, "enable-last-sample", FALSE, "max-buffers", 64u, NULL);
  GstAppSinkCallbacks cb = {};
  cb.new_sample = on_new_sample;
  gst_app_sink_set_callbacks (
      GST_APP_SINK (appsink), &cb, new SinkCtx{ this, video },
      [] (gpointer p) { delete static_cast<SinkCtx *> (p); });
  gst_bin_add (parent, bin);
  GstPad *target = gst_element_get_static_pad (bin, "sink");
  gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), target);
  gst_object_unref (target);
  return true;
}

void
FanOut::drop (GstBin *parent, GstPad *ghost, bool video)
{
  Kind &k = kind (video);
  if (!k.bin)
    return;
  if (ghost)
    gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), nullptr);
  gst_element_set_state (k.bin, GST_STATE_NULL);
  gst_bin_remove (parent, k.bin);
  if (k.encoder)
    gst_object_unref (k.encoder);
  k.bin = nullptr;
  k.encoder = nullptr;
}

void
FanOut::forget_caps ()
{
  std::lock_guard<std::mutex> g (lock_);
  gst_caps_replace (&video_.caps, nullptr);
  gst_caps_replace (&audio_.caps, nullptr);
  /* the next start is a new stream: new SSRCs */
  video_.ssrc = audio_.ssrc = 0;
}

void
FanOut::publish (OutList video, OutList audio)
{
  std::lock_guard<std::mutex> g (lock_);
  video_.outs = std::move (video);
  audio_.outs = std::move (audio);
}

guint
FanOut::ssrc (bool video)
{
  std::lock_guard<std::mutex> g (lock_);
  return kind (video).ssrc;
}

GstCaps *
FanOut::caps_for (bool video, int pt, const std::string &plid)
{
  GstCaps *caps = nullptr;
  {
    std::lock_guard<std::mutex> g (lock_);
    GstCaps *c = kind (video).caps;
    caps = c ? gst_caps_copy (c) : nullptr;
  }
  if (!caps)
    return nullptr;
  GstCaps *vc = viewer_caps (caps, pt, plid);
  gst_caps_unref (caps);
  return vc;
}

bool
FanOut::force_keyframe ()
{
  GstElement *enc = video_.encoder;
  if (!enc)
    return false;
  GstPad *src = gst_element_get_static_pad (enc, "src");
  if (!src)
    return false;
  gst_pad_send_event (src, gst_video_event_new_upstream_force_key_unit (
                               GST_CLOCK_TIME_NONE, TRUE, 0));
  gst_object_unref (src);
  return true;
}

} // namespace resilient::gst::server
