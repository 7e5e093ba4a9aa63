/* gst-resilient: one running instance of a failoversrc candidate (see
 * candidaterun.h). */
#include "failover/candidaterun.h"

#include "common/messages.h"
#include "failover/contentsampler.h"
#include "failover/controller.h"
#include "failover/lonestream.h"
#include "failover/outputstage.h"
#include "failover/private.h"
#include "failover/warmstandby.h"

#include <gst/app/app.h>

#include <algorithm>
#include <cstring>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;
using resilient::gst::redact_uri;

namespace resilient::gst::failoversrc {

/* A decoded frame without a duration counts as the distance to the one
 * before, at most this (a 4 fps stream; longer distances are freezes). */
constexpr GstClockTime CONTENT_MAX_FRAME_NS = 250 * GST_MSECOND;
/* videorate's repeats across a warm run's sleep: none past this gap. */
constexpr guint64 WARM_MAX_DUPLICATION_NS = 500 * GST_MSECOND;

void
record_buffer (CandidateRun *run, GstClockTime now, bool rhythm)
{
  run->buffers.fetch_add (1, std::memory_order_relaxed);
  run->last_buffer_ns.store ((gint64)now, std::memory_order_relaxed);
  if (!rhythm)
    return;
  std::lock_guard<std::mutex> g (run->stall_lock);
  run->stall.on_arrival (tp (now));
}

int
pad_stream_kind (GstPad *pad)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const gchar *name
      = caps ? gst_structure_get_name (gst_caps_get_structure (caps, 0)) : "";
  const int st = g_str_has_prefix (name, "video/")   ? VIDEO
                 : g_str_has_prefix (name, "audio/") ? AUDIO
                                                     : -1;
  if (caps)
    gst_caps_unref (caps);
  return st;
}

int
pad_stream (GstPad *pad)
{
  return pad_stream_kind (pad) == AUDIO ? AUDIO : VIDEO;
}

void
count_content (CandidateRun *run, int st, GstClockTime pts, GstClockTime dur)
{
  /* Frames decoded from RTP (WHEP) carry no duration: the distance to the
   * previous frame stands in, at most CONTENT_MAX_FRAME_NS so that a
   * freeze never counts as content. */
  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    const GstClockTime prev = run->last_pts[st].exchange (pts);
    if (!GST_CLOCK_TIME_IS_VALID (dur) && GST_CLOCK_TIME_IS_VALID (prev)
        && pts > prev)
      dur = std::min<GstClockTime> (pts - prev, CONTENT_MAX_FRAME_NS);
  }
  if (GST_CLOCK_TIME_IS_VALID (dur))
    run->content_ns[st].fetch_add (dur, std::memory_order_relaxed);
}

void
live_eos (CandidateRun *run)
{
  if (run->kind == InputKind::Live && !run->stopping.load ())
    report_failure (run->self, run->id, run->index, FailureReason::Eos, false,
                    "end of stream from the live input",
                    running_now (run->self));
}

static gsize
probe_size (GstPadProbeInfo *info)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    return gst_buffer_list_calculate_size (
        GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  return 0;
}

static GstPadProbeReturn
decoded_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  /* EOS is acted on when it reaches the candidate's appsink: the
   * media still queued in the branch plays out first, and the hot standby's
   * next frame is already waiting, so the switch costs about one frame. */
  auto *run = static_cast<CandidateRun *> (user_data);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    /* A live candidate's content is shown as it arrives: nothing worth
     * waiting for is queued behind its EOS, so it fails at once (a file's
     * EOS waits for its paced content, at the appsink). */
    if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
      live_eos (run);
    return GST_PAD_PROBE_OK;
  }
  record_buffer (run, running_now (run->self));
  run->decoded.fetch_add (1, std::memory_order_relaxed);
  if (run->encoded) {
    /* No decoder: the parsed stream is what is counted (bitrate, and the
     * undecodable check, which a stream without a parser, such as AAC
     * from FLV, would otherwise never pass). */
    run->bytes.fetch_add (probe_size (info), std::memory_order_relaxed);
    run->parsed_buffers.fetch_add (1, std::memory_order_relaxed);
  }
  const int st = pad_stream (pad);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info);
    count_content (run, st, GST_BUFFER_PTS (b), GST_BUFFER_DURATION (b));
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *l = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    GstClockTime dur = 0;
    for (guint i = 0; i < gst_buffer_list_length (l); i++) {
      GstClockTime d = GST_BUFFER_DURATION (gst_buffer_list_get (l, i));
      dur += GST_CLOCK_TIME_IS_VALID (d) ? d : 0;
    }
    count_content (run, st, GST_CLOCK_TIME_NONE, dur);
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
encoded_bytes_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *run = static_cast<CandidateRun *> (user_data);
  run->bytes.fetch_add (probe_size (info), std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

/* Bytes out of the candidate's source element (the undecodable check). */
static GstPadProbeReturn
source_bytes_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *run = static_cast<CandidateRun *> (user_data);
  run->source_bytes.fetch_add (probe_size (info), std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

/* A buffer into a parser or decoder: a demuxer made sense of the stream. */
static GstPadProbeReturn
parsed_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *run = static_cast<CandidateRun *> (user_data);
  run->parsed_buffers.fetch_add (1, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

static void
add_buffer_probe (GstElement *element, const char *pad_name,
                  GstPadProbeCallback cb, CandidateRun *run)
{
  GstPad *pad = gst_element_get_static_pad (element, pad_name);
  if (!pad)
    return; /* e.g. a source bin with sometimes pads: not counted */
  gst_pad_add_probe (pad,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                     cb, run, nullptr);
  gst_object_unref (pad);
}

static void
deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element,
                    gpointer user_data)
{
  CandidateRun *run
      = static_cast<std::shared_ptr<CandidateRun> *> (user_data)->get ();
  GstElementFactory *f = gst_element_get_factory (element);
  if (!f)
    return;
  if (g_str_equal (GST_OBJECT_NAME (f), "flvdemux"))
    watch_lone_stream (element);
  const gchar *klass
      = gst_element_factory_get_metadata (f, GST_ELEMENT_METADATA_KLASS);
  /* Not bins: decodebin's class is "Generic/Bin/Decoder" and it takes the
   * container bytes, garbage included. */
  if (klass && !GST_IS_BIN (element)
      && (strstr (klass, "Parser") || strstr (klass, "Decoder")))
    add_buffer_probe (element, "sink", parsed_probe, run);
  /* Encoded: H.264/H.265 parameter sets before every keyframe, so a cut
   * (always at a keyframe) carries them in-band. */
  if (run->encoded && klass && strstr (klass, "Parser")
      && g_object_class_find_property (G_OBJECT_GET_CLASS (element),
                                       "config-interval"))
    g_object_set (element, "config-interval", -1, nullptr);
  if (!klass || !strstr (klass, "Decoder"))
    return;
  GstPad *sink = gst_element_get_static_pad (element, "sink");
  if (!sink)
    return;
  gst_pad_add_probe (sink,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                     encoded_bytes_probe, run, nullptr);
  /* Warm standby: the decoder gets nothing while its run is off the
   * output (after the probes above, which still count what arrives). */
  if (run->warm && !GST_IS_BIN (element))
    gate_decoder (run, sink);
  gst_object_unref (sink);
}

static void
pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  CandidateRun *run
      = static_cast<std::shared_ptr<CandidateRun> *> (user_data)->get ();
  GstCaps *caps = gst_pad_get_current_caps (pad);
  if (!caps)
    caps = gst_pad_query_caps (pad, nullptr);
  const gchar *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  int stream = -1;
  if (g_str_has_prefix (name, "video/"))
    stream = VIDEO;
  else if (g_str_has_prefix (name, "audio/"))
    stream = AUDIO;
  gst_caps_unref (caps);
  if (stream < 0 || !run->self->priv->output.enabled[stream].load ())
    return; /* disabled output: not decoded further */
  Branch &b = run->branches[stream];
  bool expected = false;
  if (!b.linked.compare_exchange_strong (expected, true))
    return; /* second stream of a kind: not used */
  GstPad *sink = gst_element_get_static_pad (b.queue, "sink");
  GstPadLinkReturn ret = gst_pad_link (pad, sink);
  gst_object_unref (sink);
  if (ret != GST_PAD_LINK_OK) {
    GST_WARNING_OBJECT (run->self, "candidate %d: cannot link %s pad: %d",
                        run->index, stream_names[stream], ret);
    return;
  }
  run->has_stream[stream] = true;
  gst_pad_add_probe (pad,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST
                                       | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                     decoded_probe, run, nullptr);
  GST_DEBUG_OBJECT (run->self, "candidate %d: %s stream linked", run->index,
                    stream_names[stream]);
}

static void
pad_removed (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  CandidateRun *run
      = static_cast<std::shared_ptr<CandidateRun> *> (user_data)->get ();
  if (run->stopping.load () || !gst_pad_is_linked (pad))
    return;
  report_failure (run->self, run->id, run->index, FailureReason::PadRemoved,
                  false, "decoded pad removed", running_now (run->self));
}

static void
no_more_pads (GstElement *decodebin, gpointer user_data)
{
  CandidateRun *run
      = static_cast<std::shared_ptr<CandidateRun> *> (user_data)->get ();
  run->no_more_pads = true;
}

static void
source_setup (GstElement *decodebin, GstElement *source, gpointer user_data)
{
  CandidateRun *run
      = static_cast<std::shared_ptr<CandidateRun> *> (user_data)->get ();
  /* rtspsrc buffers 2 s by default; the element's own latency is what
   * absorbs jitter here. */
  if (g_str_equal (G_OBJECT_TYPE_NAME (source), "GstRTSPSrc")) {
    guint latency_ms
        = (guint)(run->self->priv->latency_ns.load () / GST_MSECOND);
    g_object_set (source, "latency", std::max (latency_ms, 100u), nullptr);
  }
  /* reswhepsrc (whep:// and wheps://) reports its failure as a
   * reswhepsrc-failure element message, classified fatal or transient with
   * the HTTP status and Retry-After; we act on that message (see
   * handle_message), so its ERROR is not wanted: a WARNING is enough. */
  if (g_str_equal (G_OBJECT_TYPE_NAME (source), "GstResWhepSrc")
      && g_object_class_find_property (G_OBJECT_GET_CLASS (source),
                                       "error-on-failure"))
    g_object_set (source, "error-on-failure", FALSE, nullptr);
  add_buffer_probe (source, "src", source_bytes_probe, run);
  GST_DEBUG_OBJECT (run->self, "candidate %d source: %s", run->index,
                    G_OBJECT_TYPE_NAME (source));
}

/* Waits on the clock until running time `rt` (on stream `st`'s streaming
 * thread); false when interrupted. */
static bool
pace (CandidateRun *run, int st, GstClock *clock, GstClockTime base,
      GstClockTime rt)
{
  GstClockID id = gst_clock_new_single_shot_id (clock, base + rt);
  {
    std::lock_guard<std::mutex> g (run->wait_lock);
    if (run->stopping.load ()) {
      gst_clock_id_unref (id);
      return false;
    }
    run->wait_id[st] = id;
  }
  GstClockReturn ret = gst_clock_id_wait (id, nullptr);
  {
    std::lock_guard<std::mutex> g (run->wait_lock);
    run->wait_id[st] = nullptr;
  }
  gst_clock_id_unref (id);
  return ret != GST_CLOCK_UNSCHEDULED && !run->stopping.load ();
}

/* Maps a sample at candidate running time `brt` onto the output's running
 * time (CandidateTimeline). */
static CandidateTimeline::Mapping
map_sample (Branch *b, GstClockTime brt, GstClockTime now,
            CandidateTimeline::Sample &in)
{
  CandidateRun *run = b->run;
  auto *priv = run->self->priv;
  in.stream = b->stream;
  in.running_time = from_ns (brt);
  in.now = from_ns (now);
  in.live = run->kind == InputKind::Live;
  in.active = priv->active_source.load () == run->id;
  in.late_limit = from_ns (starve_threshold (priv));
  if (in.active) {
    /* Where filler covering this stream has got to, if it is covering it. */
    OutputStream &o = priv->output.out[b->stream];
    std::lock_guard<std::mutex> g (o.lock);
    in.filler_end = o.timeline.filler_end ();
  }
  CandidateTimeline::Mapping map;
  {
    std::lock_guard<std::mutex> g (run->timeline_lock);
    map = run->timeline.map (in);
  }
  if (map.reanchored)
    GST_DEBUG_OBJECT (run->self, "candidate %d fell behind, re-anchoring",
                      run->index);
  GST_LOG_OBJECT (run->self,
                  "candidate %d %s sample rt %" GST_TIME_FORMAT
                  " -> %" GST_STIME_FORMAT " (now %" GST_TIME_FORMAT ")%s",
                  run->index, stream_names[b->stream], GST_TIME_ARGS (brt),
                  GST_STIME_ARGS (map.out_ns), GST_TIME_ARGS (now),
                  map.stale ? " stale" : "");
  return map;
}

/* A paced sample: out to the output stage when its run is active, else
 * (video) kept as the newest frame for a switch. Takes `sample`. */
static void
deliver_sample (Branch *b, GstSample *sample, GstClockTime out)
{
  CandidateRun *run = b->run;
  GstFailoverSrc *self = run->self;
  GstBuffer *buf = gst_sample_get_buffer (sample);
  if (self->priv->active_source.load () == run->id && !run->stopping.load ()) {
    /* Drop the sample's references first, so the buffer is usually
     * writable in place (no copy in push_output). */
    GstBuffer *own = gst_buffer_ref (buf);
    GstCaps *caps = gst_sample_get_caps (sample);
    if (caps)
      gst_caps_ref (caps);
    gst_sample_unref (sample);
    push_output (self, b->stream, own, out, run->id, run->index, caps);
    if (caps)
      gst_caps_unref (caps);
    std::lock_guard<std::mutex> g (b->latest_lock);
    gst_clear_buffer (&b->latest);
    gst_clear_caps (&b->latest_caps);
    return;
  }
  /* A sleeping warm run keeps none: what it decoded last is old by the
   * time it wakes (its kept GOP's live edge goes out instead); one woken
   * early (warmstandby.h) keeps its newest, as a hot one. */
  if (b->stream == VIDEO && !run->stopping.load ()
      && (!run->warm || !run->asleep.load ())) {
    std::lock_guard<std::mutex> g (b->latest_lock);
    gst_buffer_replace (&b->latest, buf);
    gst_caps_replace (&b->latest_caps, gst_sample_get_caps (sample));
  }
  gst_sample_unref (sample);
}

/* Appsink streaming thread: one decoded and converted sample. */
static GstFlowReturn
new_sample (GstAppSink *sink, gpointer user_data)
{
  auto *b = static_cast<Branch *> (user_data);
  CandidateRun *run = b->run;
  auto *priv = run->self->priv;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_FLUSHING;
  GstBuffer *buf = gst_sample_get_buffer (sample);
  const GstSegment *seg = gst_sample_get_segment (sample);
  GstClock *clock = priv->clock.load ();
  GstClockTime brt = GST_CLOCK_TIME_NONE;
  if (buf && seg && clock && !run->stopping.load ()
      && GST_BUFFER_PTS_IS_VALID (buf))
    brt = gst_segment_to_running_time (seg, GST_FORMAT_TIME,
                                       GST_BUFFER_PTS (buf));
  if (!GST_CLOCK_TIME_IS_VALID (brt)) {
    gst_sample_unref (sample);
    return GST_FLOW_OK;
  }
  GstClockTime now = running_now (run->self);
  /* Encoded, after a cut from a kept GOP: the run's units reach the output
   * `delay` late by design, which the timeline must not take for falling
   * behind (it would re-anchor, and each sample wait longer). */
  const GstClockTime delay = run->encoded ? encoded_delay (b) : 0;
  CandidateTimeline::Sample in;
  CandidateTimeline::Mapping map
      = map_sample (b, brt, now - std::min (now, delay), in);
  run->sampled[b->stream].store (true, std::memory_order_relaxed);
  if (map.stale) {
    record_buffer (run, now, false);
    /* Encoded, off the output: a unit late for the live edge still
     * belongs to the GOP a cut starts from (the cut respaces it by its
     * running time); dropping it would leave no keyframe to cut at. */
    if (run->encoded && !encoded_on_air (b)) {
      deliver_encoded (b, sample, (GstClockTime)map.out_ns, brt);
      return GST_FLOW_OK;
    }
    gst_sample_unref (sample);
    if (run->encoded)
      encoded_unit_skipped (b);
    return GST_FLOW_OK;
  }
  /* A sample due within half the starving threshold is pushed early rather
   * than waited for: the PTS is what sinks sync on, and a live candidate's
   * faster stream (audio, mapped to the slower video's live edge, about one
   * audio buffer later) would otherwise cost a clock wait, one more thread
   * wake-up, for every buffer. */
  if (CandidateTimeline::must_wait (map.out_ns, in.now, in.late_limit)
      && !pace (run, b->stream, clock, priv->base_time.load (),
                (GstClockTime)map.out_ns + delay)) {
    gst_sample_unref (sample);
    return GST_FLOW_OK;
  }
  /* Content still reaching the output keeps the candidate alive: a file
   * or a burst is decoded ahead and paced here, so its decoder falls
   * silent long before its content has been shown. */
  GstClockTime shown = running_now (run->self);
  record_buffer (run, shown, false);
  if (run->encoded) {
    deliver_encoded (b, sample, (GstClockTime)map.out_ns, brt);
    return GST_FLOW_OK;
  }
  sample_content (run, b->stream, sample, shown);
  deliver_sample (b, sample, (GstClockTime)map.out_ns);
  return GST_FLOW_OK;
}

/* EOS reached the candidate's appsink: everything it decoded went out. The
 * bins' own EOS aggregation does not apply (the appsinks are not flagged as
 * sinks, so the pipeline never waits for them). */
static void
appsink_eos (GstAppSink *sink, gpointer user_data)
{
  auto *b = static_cast<Branch *> (user_data);
  CandidateRun *run = b->run;
  if (!run->stopping.load ())
    report_failure (run->self, run->id, run->index, FailureReason::Eos, false,
                    std::string ("end of stream on the ")
                        + stream_names[b->stream] + " branch",
                    running_now (run->self));
}

static void
holder_free (gpointer data)
{
  delete static_cast<std::shared_ptr<CandidateRun> *> (data);
}

static GstElement *
make (const char *factory)
{
  GstElement *e = gst_element_factory_make (factory, nullptr);
  if (!e)
    GST_WARNING ("failoversrc: missing element %s", factory);
  return e;
}

/* One stream's branch of a run: queue ! convert ! scale [! videorate] !
 * capsfilter ! appsink, its appsink calling back with the Branch. False
 * when an element is missing. */
/* The appsink end of a branch: calls back with the Branch, never a sink
 * of the pipeline. */
static void
setup_appsink (Branch &b)
{
  g_object_set (b.appsink, "sync", FALSE, "async", FALSE, "enable-last-sample",
                FALSE, "max-buffers", 2, "qos", FALSE, nullptr);
  GST_OBJECT_FLAG_UNSET (b.appsink, GST_ELEMENT_FLAG_SINK);
  GstAppSinkCallbacks cbs = {};
  cbs.new_sample = new_sample;
  cbs.eos = appsink_eos;
  /* The Branch lives in the CandidateRun, which outlives the appsink's
   * streaming (runs are torn down to NULL before they are released). */
  gst_app_sink_set_callbacks (GST_APP_SINK (b.appsink), &cbs, &b, nullptr);
}

/* mode=encoded: queue ! appsink (the queue holds what a cut's delay holds
 * back). */
static bool
build_encoded_branch (CandidateRun *run, Branch &b)
{
  b.queue = make ("queue");
  b.appsink = make ("appsink");
  if (!b.queue || !b.appsink)
    return false;
  g_object_set (b.queue, "max-size-buffers", 0, "max-size-bytes", 0,
                "max-size-time", ENCODED_QUEUE_NS, nullptr);
  gst_bin_add_many (GST_BIN (run->bin), b.queue, b.appsink, nullptr);
  gst_element_link (b.queue, b.appsink);
  setup_appsink (b);
  return true;
}

static bool
build_branch (GstFailoverSrc *self, CandidateRun *run, int st)
{
  Branch &b = run->branches[st];
  b.run = run;
  b.stream = st;
  if (run->encoded)
    return build_encoded_branch (run, b);
  b.queue = make ("queue");
  GstElement *conv = make (st == VIDEO ? "videoconvert" : "audioconvert");
  GstElement *scale = make (st == VIDEO ? "videoscale" : "audioresample");
  GstElement *rate = st == VIDEO ? make ("videorate") : nullptr;
  b.capsfilter = make ("capsfilter");
  b.appsink = make ("appsink");
  if (!b.queue || !conv || !scale || (st == VIDEO && !rate) || !b.capsfilter
      || !b.appsink)
    return false;
  g_object_set (b.queue, "max-size-buffers", 0, "max-size-bytes", 0,
                "max-size-time", (guint64)GST_SECOND, nullptr);
  /* A warm run's picture stops while it sleeps: at its wake, videorate
   * must not fill the sleep with repeats of the frame it held. */
  if (rate && run->warm)
    g_object_set (rate, "max-duplication-time", WARM_MAX_DUPLICATION_NS,
                  nullptr);
  GstCaps *caps = branch_caps (self, st);
  g_object_set (b.capsfilter, "caps", caps, nullptr);
  gst_caps_unref (caps);
  gst_bin_add_many (GST_BIN (run->bin), b.queue, conv, scale, b.capsfilter,
                    b.appsink, nullptr);
  if (rate) {
    gst_bin_add (GST_BIN (run->bin), rate);
    gst_element_link_many (b.queue, conv, scale, rate, b.capsfilter, b.appsink,
                           nullptr);
  } else {
    gst_element_link_many (b.queue, conv, scale, b.capsfilter, b.appsink,
                           nullptr);
  }
  setup_appsink (b);
  return true;
}

/* Each signal handler holds its own reference to the run. */
static void
connect_run (const std::shared_ptr<CandidateRun> &run, GstElement *element,
             const char *signal, GCallback cb)
{
  g_signal_connect_data (element, signal, cb,
                         new std::shared_ptr<CandidateRun> (run),
                         (GClosureNotify)holder_free, (GConnectFlags)0);
}

std::shared_ptr<CandidateRun>
build_candidate_run (GstFailoverSrc *self, int index, const Candidate &c,
                     std::uint64_t id, const Settings &s)
{
  g_return_val_if_fail (self->priv->loop.on_loop_thread (), nullptr);
  auto run = std::make_shared<CandidateRun> ();
  run->self = self;
  run->index = index;
  run->id = id;
  run->uri = c.uri;
  run->safe_uri = redact_uri (c.uri);
  run->kind = c.kind;
  run->encoded = s.mode == GST_FAILOVER_SRC_MODE_ENCODED;
  /* Encoded: nothing is decoded, so warm is hot (the backup runs parsed,
   * its GOP kept by its branches). */
  run->warm = s.standby == GST_FAILOVER_SRC_STANDBY_WARM && !run->encoded;
  run->asleep = run->warm;

  gchar *name = g_strdup_printf ("candidate%d-%" G_GUINT64_FORMAT, index, id);
  run->bin = gst_bin_new (name);
  g_free (name);
  run->decodebin = make ("uridecodebin");
  bool ok = run->decodebin != nullptr;
  if (ok) {
    g_object_set (run->decodebin, "uri", c.uri.c_str (), nullptr);
    if (run->encoded) {
      GstCaps *stop = encoded_stop_caps ();
      g_object_set (run->decodebin, "caps", stop, nullptr);
      gst_caps_unref (stop);
    }
    gst_bin_add (GST_BIN (run->bin), run->decodebin);
  }
  for (int st = 0; st < 2 && ok; st++)
    ok = build_branch (self, run.get (), st);
  if (!ok) {
    gst_object_unref (gst_object_ref_sink (run->bin));
    return nullptr;
  }
  GST_OBJECT_FLAG_UNSET (run->bin, GST_ELEMENT_FLAG_SINK);

  connect_run (run, run->decodebin, "pad-added", G_CALLBACK (pad_added));
  connect_run (run, run->decodebin, "pad-removed", G_CALLBACK (pad_removed));
  connect_run (run, run->decodebin, "no-more-pads", G_CALLBACK (no_more_pads));
  connect_run (run, run->decodebin, "source-setup", G_CALLBACK (source_setup));
  connect_run (run, run->bin, "deep-element-added",
               G_CALLBACK (deep_element_added));

  run->health = std::make_unique<HealthMonitor> (health_config (s), c.kind,
                                                 tp (running_now (self)));
  run->stall.set_config (stall_config (s, c.kind));
  run->scheme = c.scheme;
  run->content.set_config (content_config (s));
  run->connect
      = ConnectCheck (connect_limit (s, c.scheme), tp (running_now (self)));
  return run;
}

/* call_async pool: start a candidate's sub-bin. */
static void
async_start (GstElement *element, gpointer user_data)
{
  auto *holder = static_cast<std::shared_ptr<CandidateRun> *> (user_data);
  std::shared_ptr<CandidateRun> run = *holder;
  delete holder;
  auto *self = GST_FAILOVER_SRC (element);
  std::lock_guard<std::mutex> g (run->op_lock);
  if (run->stopping.load ())
    return;
  GstStateChangeReturn ret
      = gst_element_set_state (run->bin, GST_STATE_PLAYING);
  /* uridecodebin prerolls asynchronously and a bin that is not top-level
   * stops in PAUSED once its children are done: wait (in slices, so a stop
   * is not held up) and ask for PLAYING again. */
  while (ret == GST_STATE_CHANGE_ASYNC && !run->stopping.load ())
    ret = gst_element_get_state (run->bin, nullptr, nullptr, 100 * GST_MSECOND);
  if (ret != GST_STATE_CHANGE_FAILURE && !run->stopping.load ())
    ret = gst_element_set_state (run->bin, GST_STATE_PLAYING);
  if (ret == GST_STATE_CHANGE_FAILURE && !run->stopping.load ())
    report_failure (self, run->id, run->index, FailureReason::Error, false,
                    "could not start", running_now (self));
}

void
teardown_run_sync (GstFailoverSrc *self,
                   const std::shared_ptr<CandidateRun> &run)
{
  std::lock_guard<std::mutex> g (run->op_lock);
  gst_element_set_state (run->bin, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (run->bin) == GST_OBJECT (self))
    gst_bin_remove (GST_BIN (self), run->bin);
}

static void
async_stop (GstElement *element, gpointer user_data)
{
  auto *holder = static_cast<std::shared_ptr<CandidateRun> *> (user_data);
  std::shared_ptr<CandidateRun> run = *holder;
  delete holder;
  teardown_run_sync (GST_FAILOVER_SRC (element), run);
}

/* Marks a run as stopping and releases its streaming threads. */
void
interrupt_run (CandidateRun *run)
{
  run->stopping = true;
  std::lock_guard<std::mutex> g (run->wait_lock);
  for (GstClockID id : run->wait_id)
    if (id)
      gst_clock_id_unschedule (id);
}

void
start_candidate_run (GstFailoverSrc *self,
                     const std::shared_ptr<CandidateRun> &run)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  gst_element_set_locked_state (run->bin, TRUE);
  gst_bin_add (GST_BIN (self), run->bin);
  GstClock *clock = priv->clock.load ();
  if (clock)
    gst_element_set_clock (run->bin, clock);
  gst_element_set_base_time (run->bin, priv->base_time.load ());
  gst_element_set_start_time (run->bin, GST_CLOCK_TIME_NONE);
  gst_element_call_async (GST_ELEMENT (self), async_start,
                          new std::shared_ptr<CandidateRun> (run), nullptr);
}

void
stop_candidate_run (GstFailoverSrc *self,
                    const std::shared_ptr<CandidateRun> &run)
{
  g_return_if_fail (self->priv->loop.on_loop_thread ());
  interrupt_run (run.get ());
  gst_element_call_async (GST_ELEMENT (self), async_stop,
                          new std::shared_ptr<CandidateRun> (run), nullptr);
}

} // namespace resilient::gst::failoversrc
