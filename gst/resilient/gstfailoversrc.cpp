/* gst-resilient: failoversrc
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * SECTION:element-failoversrc
 * @title: failoversrc
 *
 * A live source bin over an ordered list of candidate inputs of any
 * protocol (RTMP, SRT, RTSP, HLS / HTTP, file). The front is two always
 * present raw pads, `video` and `audio` (ghost pads on one appsrc each); the
 * back is one sub-bin per running candidate (uridecodebin, then per stream a
 * converter chain ending in an appsink). Samples of the active candidate are
 * re-timestamped onto the element's running time and pushed into the
 * appsrcs, so downstream sees one segment, continuous time and fixed caps
 * whatever happens to the candidates. See docs/elements/failoversrc.md for
 * the contract.
 *
 * |[
 * gst-launch-1.0 failoversrc name=f standby=hot \
 *     uris="rtmp://127.0.0.1/live/a | file:///srv/slate.mp4" \
 *     video-caps="video/x-raw,width=1280,height=720,framerate=30/1" \
 *   f.video ! queue ! videoconvert ! autovideosink \
 *   f.audio ! queue ! audioconvert ! autoaudiosink
 * ]|
 *
 * This file is the GObject shell (properties, the switch-to signal, state
 * changes, bus message routing, statistics); the parts are in failover/
 * (see failover/private.h) and the timing decisions in
 * lib/resilient/failover/output_timeline.h.
 *
 * Threads:
 * - the application thread: properties, state changes, `switch-to`;
 * - the ControlLoop thread ("failoversrc", failover/controller.cpp): every
 *   decision (FailoverPolicy) and every Action, health ticks, filler
 *   output, building/adding/removing candidate sub-bins, bus element
 *   messages (asserted with loop.on_loop_thread ());
 * - GStreamer's call_async pool: the (possibly blocking, e.g. a connect)
 *   state changes of candidate sub-bins, serialised per candidate by
 *   CandidateRun::op_lock;
 * - candidate streaming threads (failover/candidaterun.cpp): pad probes
 *   count bytes/buffers into atomics and post EOS / pad removal to the
 *   loop; appsink callbacks pace samples on the clock and push the active
 *   candidate's samples to the output stage;
 * - bus handling (handle_message, any thread): maps candidate ERROR/EOS to
 *   the candidate and posts to the loop.
 *
 * Lock order (outermost first); no lock is held while a message is posted,
 * a signal emitted, a property notified or a child's state changed:
 *   Private::settings_lock
 *   -> Private::state_lock     (policy, runs map, statistics, status)
 *   -> EncodedBranch::lock     (mode=encoded, per branch; video, then audio
 *      at a cut; a unit goes out under it; never taken under state_lock)
 *   -> OutputStream::lock (video, then audio; never both in the push path)
 *   -> Private::switch_lock    (the pending switch report)
 *   -> CandidateRun::wait_lock / CandidateRun::timeline_lock /
 *      Branch::latest_lock / CandidateRun::stall_lock /
 *      CandidateRun::content_lock (never held together, none held while
 *      pushing out; stall and content locks are leaves; a warm run's wake
 *      takes timeline_lock under state_lock)
 *   -> ControlLoop's internal lock (innermost, see controlloop.h)
 * CandidateRun::op_lock is only taken on the call_async pool and in
 * teardown, with none of the above held. appsrc is called with
 * OutputStream::lock held: appsrc takes only its own internal lock and never
 * calls back into this element (no appsrc signals are connected).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstfailoversrc.h"
#include "elements.h"

#include "common/messages.h"
#include "common/selfref.h"
#include "failover/busmessages.h"
#include "failover/candidaterun.h"
#include "failover/controller.h"
#include "failover/encoded.h"
#include "failover/outputstage.h"
#include "failover/private.h"
#include "failover/properties.h"

#include <gst/app/app.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY (failover_src_debug);
#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;
using namespace resilient::gst::failoversrc;
using resilient::gst::redact_text;
using resilient::gst::redact_uri;
using resilient::gst::register_enum_once;

enum {
  SIGNAL_SWITCH_TO,
  LAST_SIGNAL,
};
static guint signals[LAST_SIGNAL];

#define gst_failover_src_parent_class parent_class
G_DEFINE_TYPE (GstFailoverSrc, gst_failover_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (failoversrc, "failoversrc", GST_RANK_NONE,
                             GST_TYPE_FAILOVER_SRC);

/* ---- shared helpers (failover/private.h) --------------------------------- */

namespace resilient::gst::failoversrc {

GstClockTime
running_now (GstFailoverSrc *self)
{
  GstClock *clock = self->priv->clock.load ();
  if (!clock)
    return GST_CLOCK_TIME_NONE;
  GstClockTime now = gst_clock_get_time (clock);
  GstClockTime base = self->priv->base_time.load ();
  return now > base ? now - base : 0;
}

} // namespace resilient::gst::failoversrc

/* ---- small helpers ------------------------------------------------------ */

/* The direct child of `self` that `obj` is inside of (a ref), or NULL. */
static GstObject *
top_child (GstFailoverSrc *self, GstObject *obj)
{
  GstObject *cur = GST_OBJECT (gst_object_ref (obj));
  for (;;) {
    GstObject *parent = gst_object_get_parent (cur);
    if (!parent) {
      gst_object_unref (cur);
      return nullptr;
    }
    if (parent == GST_OBJECT (self)) {
      gst_object_unref (parent);
      return cur;
    }
    gst_object_unref (cur);
    cur = parent;
  }
}

/* An EOS sent by the application (gst_element_send_event on the pipeline,
 * e.g. to finish a recording) ends the output: it goes out on both pads and
 * is not handed to the candidates, whose EOS would read as a failure and
 * trigger a switch. */
static gboolean
gst_failover_src_send_event (GstElement *element, GstEvent *event)
{
  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (parent_class)->send_event (element, event);

  auto *self = GST_FAILOVER_SRC (element);
  auto *priv = self->priv;
  bool first;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    first = !priv->eos_sent;
    priv->eos_sent = true;
  }
  GST_INFO_OBJECT (self, "EOS from the application: ending the output");
  if (first)
    end_output (self);
  gst_event_unref (event);
  return TRUE;
}

/* ---- bus ---------------------------------------------------------------- */

/* The output appsrcs' messages: state changes, stream status and tags are
 * internal noise; latency, async, errors and the rest go up. */
static void
handle_own_message (GstBin *bin, GstMessage *msg)
{
  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_STATE_CHANGED:
  case GST_MESSAGE_STREAM_STATUS:
  case GST_MESSAGE_TAG:
  case GST_MESSAGE_STREAM_START:
    gst_message_unref (msg);
    return;
  default:
    GST_BIN_CLASS (parent_class)->handle_message (bin, msg);
    return;
  }
}

/* A candidate's ERROR: its failure (the WARNING for it is posted with the
 * candidate-failed message, one per failure). */
static void
handle_candidate_error (GstFailoverSrc *self, CandidateRun *run,
                        GstMessage *msg)
{
  GError *err = nullptr;
  gchar *dbg = nullptr;
  gst_message_parse_error (msg, &err, &dbg);
  if (run && !run->stopping.load ()) {
    ErrorClass cls = classify_error (err);
    report_failure (self, run->id, run->index, FailureReason::Error,
                    is_fatal (cls), error_words (err, dbg), running_now (self));
  } else {
    GST_DEBUG_OBJECT (self, "dropping error of a stopped candidate: %s",
                      redact_text (err->message).c_str ());
  }
  g_clear_error (&err);
  g_free (dbg);
}

/* A candidate's element message: passed on (redacted) first, so the
 * application sees reswhepsrc-failure before our
 * failoversrc-candidate-failed; a reswhepsrc-failure is the candidate's
 * failure. */
static void
handle_candidate_element (GstFailoverSrc *self, CandidateRun *run,
                          GstMessage *msg)
{
  GstMessage *out = redacted_child_element_message (msg);
  if (out)
    GST_BIN_CLASS (parent_class)->handle_message (GST_BIN (self), out);
  if (!run || run->stopping.load ())
    return;
  if (auto f = parse_whep_failure (msg)) {
    GST_INFO_OBJECT (self, "candidate %d: %s", run->index, f->detail.c_str ());
    report_failure (self, run->id, run->index, f->reason, f->fatal, f->detail,
                    running_now (self), f->retry_floor);
  }
}

static std::shared_ptr<CandidateRun>
run_of_child (GstFailoverSrc *self, GstObject *top)
{
  std::lock_guard<std::mutex> g (self->priv->state_lock);
  for (auto &kv : self->priv->runs)
    if (GST_OBJECT (kv.second->bin) == top)
      return kv.second;
  return nullptr;
}

static void
gst_failover_src_handle_message (GstBin *bin, GstMessage *msg)
{
  auto *self = GST_FAILOVER_SRC (bin);
  auto *priv = self->priv;
  GstObject *top = GST_MESSAGE_SRC (msg)
                       ? top_child (self, GST_MESSAGE_SRC (msg))
                       : nullptr;
  if (!top || top == GST_OBJECT (priv->output.appsrc[VIDEO])
      || top == GST_OBJECT (priv->output.appsrc[AUDIO])) {
    if (top)
      gst_object_unref (top);
    handle_own_message (bin, msg);
    return;
  }
  std::shared_ptr<CandidateRun> run = run_of_child (self, top);
  gst_object_unref (top);

  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_ERROR:
    handle_candidate_error (self, run.get (), msg);
    break;
  case GST_MESSAGE_EOS:
    if (run && !run->stopping.load ())
      report_failure (self, run->id, run->index, FailureReason::Eos, false,
                      "end of stream", running_now (self));
    break;
  case GST_MESSAGE_ELEMENT:
    handle_candidate_element (self, run.get (), msg);
    break;
  case GST_MESSAGE_WARNING:
  case GST_MESSAGE_INFO:
    /* A child's warning, redacted (its debug string may quote URIs). */
    GST_BIN_CLASS (parent_class)
        ->handle_message (bin, redacted_child_warning (msg));
    break;
  case GST_MESSAGE_NEED_CONTEXT:
  case GST_MESSAGE_HAVE_CONTEXT:
  /* GstBin's own bookkeeping: it tracks a child added while its state
   * change is ASYNC until that child's async-done; dropping it leaves the
   * bin waiting forever and the pipeline re-posting async-done. GstBin
   * consumes these; they never reach the application bus as they are. */
  case GST_MESSAGE_ASYNC_START:
  case GST_MESSAGE_ASYNC_DONE:
    GST_BIN_CLASS (parent_class)->handle_message (bin, msg);
    return;
  default:
    /* tags, state changes, stream status, buffering, latency, clock, qos,
     * stream-start ... of a candidate are its own business: the output is
     * live and continuous whatever the candidates do, and the application
     * bus carries failoversrc's own messages. */
    break;
  }
  gst_message_unref (msg);
}

/* ---- state changes ------------------------------------------------------ */

/* READY->PAUSED: settings copied for the run, outputs reset, candidates
 * and policy prepared. */
static bool
ready_to_paused (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  guint latency;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    latency = priv->settings.latency;
    priv->hold_ns = priv->settings.hold_last_frame * GST_MSECOND;
    for (int st = 0; st < 2; st++)
      priv->output.enabled[st] = priv->settings.enable[st];
    priv->output.encoded = priv->settings.mode == GST_FAILOVER_SRC_MODE_ENCODED;
  }
  /* Encoded: a cut puts its kept GOP out at once (up to the cut's longest
   * delay ahead of the clock), which the queue must not drop. */
  const guint64 max_time = priv->output.encoded.load ()
                               ? ENCODED_QUEUE_NS + 2 * GST_SECOND
                               : 2 * GST_SECOND;
  priv->latency_ns = latency * GST_MSECOND;
  for (int st = 0; st < 2; st++)
    g_object_set (priv->output.appsrc[st], "min-latency",
                  (gint64)(latency * GST_MSECOND), "max-latency", (gint64)-1,
                  "max-time", max_time, nullptr);
  reset_outputs (self);
  apply_fixed_caps (self);
  return prepare_candidates (self);
}

static void
paused_to_playing (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  if (!clock)
    clock = gst_system_clock_obtain ();
  GstClock *old = priv->clock.exchange (clock);
  if (old)
    gst_object_unref (old);
  const GstClockTime base = gst_element_get_base_time (GST_ELEMENT (self));
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    /* GstBin "loses" PLAYING while a candidate's bin prerolls (its
     * async-start) and re-commits it on its async-done by running this
     * transition again, with no PLAYING->PAUSED before and the same base
     * time: nothing was paused, so the candidates keep their anchors (a
     * reset re-anchors the one on air) and the tick timer runs on. */
    if (priv->playing && base == priv->base_time.load ()) {
      GST_DEBUG_OBJECT (self, "PLAYING re-committed by GstBin: not a resume");
      return;
    }
    priv->playing = true;
  }
  priv->base_time = base;
  priv->loop.post ([keep = resilient::gst::SelfRef<GstFailoverSrc> (self)] {
    on_playing (keep.p);
  });
}

static void
playing_to_paused (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    priv->playing = false;
  }
  priv->loop.post_and_wait ([self, priv] {
    priv->loop.cancel_all ();
    encoded_filler_reset (self);
  });
}

static GstStateChangeReturn
gst_failover_src_change_state (GstElement *element, GstStateChange transition)
{
  auto *self = GST_FAILOVER_SRC (element);
  auto *priv = self->priv;

  switch (transition) {
  case GST_STATE_CHANGE_NULL_TO_READY: {
    std::string problem = check_fixed_caps (self);
    if (!problem.empty ()) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", problem.c_str ()),
                         (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
    priv->loop.start ();
    break;
  }
  case GST_STATE_CHANGE_READY_TO_PAUSED:
    if (!ready_to_paused (self))
      return GST_STATE_CHANGE_FAILURE;
    break;
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    teardown_all (self);
    break;
  default:
    break;
  }

  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
  case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
    paused_to_playing (self);
    break;
  case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
    playing_to_paused (self);
    break;
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    update_status (self);
    break;
  case GST_STATE_CHANGE_READY_TO_NULL: {
    priv->loop.stop ();
    GstClock *old = priv->clock.exchange (nullptr);
    if (old)
      gst_object_unref (old);
    break;
  }
  default:
    break;
  }
  /* Live source: no preroll. */
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED
      || transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    ret = GST_STATE_CHANGE_NO_PREROLL;
  return ret;
}

/* ---- manual switch ------------------------------------------------------ */

static gboolean
request_switch (GstFailoverSrc *self, gint index)
{
  auto *priv = self->priv;
  bool ok = false;
  bool live = false;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (priv->policy) {
      ok = priv->policy->request (index);
      live = true;
    }
  }
  if (!live) {
    /* Not running: kept for the next start. */
    std::lock_guard<std::mutex> sg (priv->settings_lock);
    ok = index >= -1 && index < (gint)priv->settings.uris.size ();
    if (ok)
      priv->settings.requested_active = index;
  }
  if (live && ok)
    priv->loop.post ([keep = resilient::gst::SelfRef<GstFailoverSrc> (self)] {
      step_policy (keep.p);
    });
  GST_INFO_OBJECT (self, "manual switch to %d: %s", index,
                   ok ? "accepted" : "refused");
  return ok;
}

/* ---- statistics --------------------------------------------------------- */

/* Warm standby's and decoding's counters of a running candidate (zero and
 * false when not running). */
static void
add_run_counters (GstStructure *c, const CandidateRun *r)
{
  gint64 kept = r ? r->kept_units->load () : 0;
  gst_structure_set (c, "asleep", G_TYPE_BOOLEAN,
                     (gboolean)(r && r->warm && r->asleep.load ()),
                     "kept-units", G_TYPE_UINT64, (guint64)MAX (kept, 0),
                     "decoded-buffers", G_TYPE_UINT64,
                     (guint64)(r ? r->decoded.load () : 0), nullptr);
}

static GstStructure *
make_statistics (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  GstClockTime now = running_now (self);
  std::lock_guard<std::mutex> g (priv->state_lock);
  std::uint64_t backup = priv->stats.time_on_backup_ms;
  std::uint64_t filler = priv->stats.time_on_filler_ms;
  int active = priv->policy ? priv->policy->active () : -1;
  if (priv->policy && GST_CLOCK_TIME_IS_VALID (priv->active_since)
      && GST_CLOCK_TIME_IS_VALID (now) && now > priv->active_since) {
    std::uint64_t spent = (now - priv->active_since) / GST_MSECOND;
    if (active < 0)
      filler += spent;
    else if (active != 0)
      backup += spent;
  }
  GstStructure *s = gst_structure_new (
      "application/x-failoversrc-stats", "num-switches", G_TYPE_UINT64,
      (guint64)priv->stats.num_switches, "num-failbacks", G_TYPE_UINT64,
      (guint64)priv->stats.num_failbacks, "num-retries", G_TYPE_UINT64,
      (guint64)priv->stats.num_retries, "active-index", G_TYPE_INT, active,
      "last-reason", G_TYPE_STRING, priv->stats.last_reason.c_str (),
      "time-on-backup-ms", G_TYPE_UINT64, (guint64)backup, "time-on-filler-ms",
      G_TYPE_UINT64, (guint64)filler, "last-gap-ms", G_TYPE_UINT64,
      (guint64)priv->stats.last_gap_ms, "max-gap-ms", G_TYPE_UINT64,
      (guint64)priv->stats.max_gap_ms, nullptr);
  gst_structure_set (s, "num-early-wakes", G_TYPE_UINT64,
                     (guint64)priv->early_wake.wakes (),
                     "num-early-wakes-served", G_TYPE_UINT64,
                     (guint64)priv->early_wake.served (), nullptr);
  GValue arr = G_VALUE_INIT;
  gst_value_array_init (&arr, priv->candidates.size ());
  for (std::size_t i = 0; i < priv->candidates.size (); i++) {
    const char *state = "idle";
    guint retries = 0, failures = 0;
    std::string last;
    if (priv->policy) {
      state = state_name (priv->policy->state ((int)i));
      retries = priv->policy->retries ((int)i);
      failures = priv->policy->failures ((int)i);
      last = priv->policy->last_reason ((int)i);
    }
    CandidateStats cs
        = i < priv->cand_stats.size () ? priv->cand_stats[i] : CandidateStats{};
    auto run = priv->runs.find ((int)i);
    bool running = run != priv->runs.end ();
    GstStructure *c = gst_structure_new (
        "candidate", "index", G_TYPE_INT, (gint)i, "uri", G_TYPE_STRING,
        cs.host_uri.empty () ? redact_uri (priv->candidates[i].uri).c_str ()
                             : cs.host_uri.c_str (),
        "name", G_TYPE_STRING, redact_uri (priv->candidates[i].uri).c_str (),
        "state", G_TYPE_STRING, state, "retries", G_TYPE_UINT, retries,
        "failures", G_TYPE_UINT, failures, "last-reason", G_TYPE_STRING,
        last.c_str (), "bitrate-kbps", G_TYPE_UINT64,
        (guint64)(running ? cs.bitrate_kbps : 0), "last-buffer-age-ms",
        G_TYPE_INT64, (gint64)(running ? cs.last_buffer_age_ms : -1),
        "stall-limit-ms", G_TYPE_INT64,
        (gint64)(running ? cs.stall_limit_ms : -1), "content", G_TYPE_STRING,
        running ? cs.content.c_str () : "", nullptr);
    add_run_counters (c, running ? run->second.get () : nullptr);
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, c);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_take_value (s, "candidates", &arr);
  return s;
}

/* ---- properties --------------------------------------------------------- */

static void
gst_failover_src_set_property (GObject *object, guint prop_id,
                               const GValue *value, GParamSpec *pspec)
{
  auto *self = GST_FAILOVER_SRC (object);
  auto *priv = self->priv;
  if (prop_id == PROP_ACTIVE_CANDIDATE) {
    request_switch (self, g_value_get_int (value));
    return;
  }
  bool known;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    known = set_setting_locked (priv->settings, prop_id, value);
  }
  if (!known) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  if (prop_id == PROP_URIS || prop_id == PROP_URI_LIST)
    g_object_notify (object, prop_id == PROP_URIS ? "uri-list" : "uris");
  if (applies_at_once (prop_id)) {
    priv->loop.post ([keep = resilient::gst::SelfRef<GstFailoverSrc> (self)] {
      apply_runtime_settings (keep.p);
    });
  }
}

static void
gst_failover_src_get_property (GObject *object, guint prop_id, GValue *value,
                               GParamSpec *pspec)
{
  auto *self = GST_FAILOVER_SRC (object);
  auto *priv = self->priv;
  switch (prop_id) {
  case PROP_ACTIVE_CANDIDATE:
    g_value_set_int (value, priv->active_index.load ());
    return;
  case PROP_STATUS: {
    std::lock_guard<std::mutex> g (priv->state_lock);
    g_value_set_enum (value, priv->status);
    return;
  }
  case PROP_STATISTICS:
    g_value_take_boxed (value, make_statistics (self));
    return;
  default:
    break;
  }
  std::lock_guard<std::mutex> g (priv->settings_lock);
  if (!get_setting_locked (priv->settings, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

/* ---- GObject boilerplate ------------------------------------------------ */

static void
gst_failover_src_init (GstFailoverSrc *self)
{
  self->priv = new GstFailoverSrcPrivate ();
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (self);
  output_stage_init (self, gst_element_class_get_pad_template (klass, "video"),
                     gst_element_class_get_pad_template (klass, "audio"));
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
  GST_OBJECT_FLAG_UNSET (self, GST_ELEMENT_FLAG_SINK);
}

static void
gst_failover_src_finalize (GObject *object)
{
  auto *self = GST_FAILOVER_SRC (object);
  auto *priv = self->priv;
  priv->loop.stop ();
  for (int st = 0; st < 2; st++)
    gst_clear_caps (&priv->settings.caps[st]);
  reset_outputs (self);
  GstClock *clock = priv->clock.exchange (nullptr);
  if (clock)
    gst_object_unref (clock);
  delete priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
install_signals (GstFailoverSrcClass *klass)
{
  /**
   * GstFailoverSrc::switch-to:
   * @failoversrc: the failoversrc
   * @index: the candidate index to put on the output (0 = first of `uris`),
   *   or -1 to return to the automatic choice
   *
   * Manual switch (GObject signals cannot name their arguments: tools show
   * them as arg0).
   *
   * Returns: FALSE if @index is out of range or that candidate was given up.
   */
  signals[SIGNAL_SWITCH_TO] = g_signal_new_class_handler (
      "switch-to", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags)(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (request_switch), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 1,
      G_TYPE_INT);
}

static void
install_pads_and_types (GstElementClass *element_class)
{
  /* Raw in mode=decoded, the codec table's streams in mode=encoded. */
  for (int st = 0; st < 2; st++) {
    GstCaps *caps = output_template_caps (st);
    gst_element_class_add_pad_template (
        element_class, gst_pad_template_new (stream_names[st], GST_PAD_SRC,
                                             GST_PAD_ALWAYS, caps));
    gst_caps_unref (caps);
  }
  gst_element_class_set_static_metadata (
      element_class, "Failover source", "Source/Bin/Video/Audio",
      "Plays the best healthy of an ordered list of inputs of any protocol "
      "with continuous raw video and audio output",
      "gst-resilient");

  gst_type_mark_as_plugin_api (gst_failover_src_standby_get_type (),
                               (GstPluginAPIFlags)0);
  gst_type_mark_as_plugin_api (gst_failover_src_mode_get_type (),
                               (GstPluginAPIFlags)0);
  gst_type_mark_as_plugin_api (gst_failover_src_status_get_type (),
                               (GstPluginAPIFlags)0);
  gst_type_mark_as_plugin_api (gst_failover_src_all_failed_get_type (),
                               (GstPluginAPIFlags)0);
}

static void
gst_failover_src_class_init (GstFailoverSrcClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (failover_src_debug, "failoversrc", 0,
                           "Live source failing over between candidate inputs");
  register_origin_meta ();

  gobject_class->set_property = gst_failover_src_set_property;
  gobject_class->get_property = gst_failover_src_get_property;
  gobject_class->finalize = gst_failover_src_finalize;
  element_class->change_state
      = GST_DEBUG_FUNCPTR (gst_failover_src_change_state);
  element_class->send_event = GST_DEBUG_FUNCPTR (gst_failover_src_send_event);
  bin_class->handle_message
      = GST_DEBUG_FUNCPTR (gst_failover_src_handle_message);

  install_properties (gobject_class);
  install_signals (klass);
  install_pads_and_types (element_class);
}
