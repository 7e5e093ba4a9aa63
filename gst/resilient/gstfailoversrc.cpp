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
 *   -> OutputStream::lock (video, then audio; never both in the push path)
 *   -> Private::switch_lock    (the pending switch report)
 *   -> CandidateRun::wait_lock / CandidateRun::timeline_lock /
 *      Branch::latest_lock (never held together, none held while pushing
 *      out)
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
#include "failover/outputstage.h"
#include "failover/private.h"

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

/* ---- enums -------------------------------------------------------------- */

static GType
gst_failover_src_standby_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_FAILOVER_SRC_STANDBY_COLD,
      "The next candidate starts only when needed", "cold" },
    { GST_FAILOVER_SRC_STANDBY_HOT,
      "The next candidate is kept connected and decoded", "hot" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstFailoverSrcStandby", values);
}

static GType
gst_failover_src_all_failed_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_FAILOVER_SRC_ALL_FAILED_ERROR,
      "Post an ERROR naming each candidate's last failure (the pipeline "
      "stops, gst-launch exits non-zero)",
      "error" },
    { GST_FAILOVER_SRC_ALL_FAILED_EOS,
      "Post a WARNING and end the stream with EOS", "eos" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstFailoverSrcAllFailed", values);
}

static GType
gst_failover_src_status_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_FAILOVER_SRC_STATUS_STOPPED, "Not running", "stopped" },
    { GST_FAILOVER_SRC_STATUS_STARTING, "No candidate on the output yet",
      "starting" },
    { GST_FAILOVER_SRC_STATUS_LIVE, "The first candidate is on the output",
      "live" },
    { GST_FAILOVER_SRC_STATUS_BACKUP, "Another candidate is on the output",
      "backup" },
    { GST_FAILOVER_SRC_STATUS_FILLER, "Nothing healthy: filler on the output",
      "filler" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstFailoverSrcStatus", values);
}

enum {
  PROP_0,
  PROP_URIS,
  PROP_URI_LIST,
  PROP_VIDEO_CAPS,
  PROP_AUDIO_CAPS,
  PROP_STANDBY,
  PROP_TIMEOUT,
  PROP_STALL_TOLERANCE,
  PROP_ADAPTIVE_TIMEOUT,
  PROP_STARTUP_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_MIN_BITRATE,
  PROP_BLACK_TIMEOUT,
  PROP_FROZEN_TIMEOUT,
  PROP_SILENCE_TIMEOUT,
  PROP_BITRATE_WINDOW,
  PROP_LOW_BITRATE_WINDOWS,
  PROP_RETRY_DELAY,
  PROP_RETRY_MAX_DELAY,
  PROP_RETRY_MAX_ATTEMPTS,
  PROP_FAILBACK_HOLDOFF,
  PROP_AUTO_FAILBACK,
  PROP_HOLD_LAST_FRAME,
  PROP_FALLBACK_IMAGE,
  PROP_LATENCY,
  PROP_ALL_FAILED,
  PROP_ENABLE_VIDEO,
  PROP_ENABLE_AUDIO,
  PROP_ACTIVE_CANDIDATE,
  PROP_STATUS,
  PROP_STATISTICS,
};

enum {
  SIGNAL_SWITCH_TO,
  LAST_SIGNAL,
};
static guint signals[LAST_SIGNAL];

/* The unsigned settings: property, field, and whether a change in PLAYING
 * is applied at once (thresholds) or at the next start. */
struct UintProp
{
  guint prop;
  guint Settings::*field;
  bool runtime;
};
static const UintProp uint_props[] = {
  { PROP_TIMEOUT, &Settings::timeout, true },
  { PROP_STALL_TOLERANCE, &Settings::stall_tolerance, true },
  { PROP_ADAPTIVE_TIMEOUT, &Settings::adaptive_timeout, true },
  { PROP_STARTUP_TIMEOUT, &Settings::startup_timeout, true },
  { PROP_CONNECT_TIMEOUT, &Settings::connect_timeout, true },
  { PROP_MIN_BITRATE, &Settings::min_bitrate, true },
  { PROP_BLACK_TIMEOUT, &Settings::black_timeout, true },
  { PROP_FROZEN_TIMEOUT, &Settings::frozen_timeout, true },
  { PROP_SILENCE_TIMEOUT, &Settings::silence_timeout, true },
  { PROP_BITRATE_WINDOW, &Settings::bitrate_window, true },
  { PROP_LOW_BITRATE_WINDOWS, &Settings::low_bitrate_windows, true },
  { PROP_RETRY_DELAY, &Settings::retry_delay, true },
  { PROP_RETRY_MAX_DELAY, &Settings::retry_max_delay, true },
  { PROP_FAILBACK_HOLDOFF, &Settings::failback_holdoff, true },
  { PROP_HOLD_LAST_FRAME, &Settings::hold_last_frame, true },
  { PROP_LATENCY, &Settings::latency, false },
};

static const UintProp *
find_uint_prop (guint prop_id)
{
  for (auto &p : uint_props)
    if (p.prop == prop_id)
      return &p;
  return nullptr;
}

#define gst_failover_src_parent_class parent_class
G_DEFINE_TYPE (GstFailoverSrc, gst_failover_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (failoversrc, "failoversrc", GST_RANK_NONE,
                             GST_TYPE_FAILOVER_SRC);

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE (
    "video", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE (
    "audio", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("audio/x-raw"));

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
  }
  priv->latency_ns = latency * GST_MSECOND;
  for (int st = 0; st < 2; st++)
    g_object_set (priv->output.appsrc[st], "min-latency",
                  (gint64)(latency * GST_MSECOND), "max-latency", (gint64)-1,
                  nullptr);
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
  priv->base_time = gst_element_get_base_time (GST_ELEMENT (self));
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    priv->playing = true;
  }
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
  priv->loop.post_and_wait ([priv] { priv->loop.cancel_all (); });
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
    bool running = priv->runs.count ((int)i) > 0;
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
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, c);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_take_value (s, "candidates", &arr);
  return s;
}

/* ---- properties --------------------------------------------------------- */

/* settings_lock held. False for a property not handled here. */
static bool
set_setting_locked (Settings &s, guint prop_id, const GValue *value)
{
  if (const UintProp *p = find_uint_prop (prop_id)) {
    s.*(p->field) = g_value_get_uint (value);
    return true;
  }
  switch (prop_id) {
  case PROP_URIS: {
    const gchar *str = g_value_get_string (value);
    s.uris = split_uri_list (str ? str : "");
    return true;
  }
  case PROP_URI_LIST: {
    s.uris.clear ();
    auto **strv = static_cast<gchar **> (g_value_get_boxed (value));
    for (int i = 0; strv && strv[i]; i++) {
      auto parts = split_uri_list (strv[i]);
      s.uris.insert (s.uris.end (), parts.begin (), parts.end ());
    }
    return true;
  }
  case PROP_VIDEO_CAPS:
  case PROP_AUDIO_CAPS: {
    int st = prop_id == PROP_VIDEO_CAPS ? VIDEO : AUDIO;
    const GstCaps *c = gst_value_get_caps (value);
    gst_caps_replace (&s.caps[st],
                      c && !gst_caps_is_any (c) && !gst_caps_is_empty (c)
                          ? (GstCaps *)c
                          : nullptr);
    return true;
  }
  case PROP_STANDBY:
    s.standby = (GstFailoverSrcStandby)g_value_get_enum (value);
    return true;
  case PROP_RETRY_MAX_ATTEMPTS:
    s.retry_max_attempts = g_value_get_int (value);
    return true;
  case PROP_AUTO_FAILBACK:
    s.auto_failback = g_value_get_boolean (value);
    return true;
  case PROP_FALLBACK_IMAGE: {
    const gchar *str = g_value_get_string (value);
    s.fallback_image = str ? str : "";
    return true;
  }
  case PROP_ALL_FAILED:
    s.all_failed = (GstFailoverSrcAllFailed)g_value_get_enum (value);
    return true;
  case PROP_ENABLE_VIDEO:
  case PROP_ENABLE_AUDIO:
    s.enable[prop_id == PROP_ENABLE_VIDEO ? VIDEO : AUDIO]
        = g_value_get_boolean (value);
    return true;
  default:
    return false;
  }
}

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
  const UintProp *p = find_uint_prop (prop_id);
  if ((p && p->runtime) || prop_id == PROP_RETRY_MAX_ATTEMPTS
      || prop_id == PROP_AUTO_FAILBACK) {
    priv->loop.post ([keep = resilient::gst::SelfRef<GstFailoverSrc> (self)] {
      apply_runtime_settings (keep.p);
    });
  }
}

/* settings_lock held. False for a property not handled here. */
static bool
get_setting_locked (const Settings &s, guint prop_id, GValue *value)
{
  if (const UintProp *p = find_uint_prop (prop_id)) {
    g_value_set_uint (value, s.*(p->field));
    return true;
  }
  switch (prop_id) {
  case PROP_URIS:
    g_value_set_string (value, join_uri_list (s.uris).c_str ());
    return true;
  case PROP_URI_LIST: {
    gchar **strv = g_new0 (gchar *, s.uris.size () + 1);
    for (std::size_t i = 0; i < s.uris.size (); i++)
      strv[i] = g_strdup (s.uris[i].c_str ());
    g_value_take_boxed (value, strv);
    return true;
  }
  case PROP_VIDEO_CAPS:
  case PROP_AUDIO_CAPS:
    gst_value_set_caps (value,
                        s.caps[prop_id == PROP_VIDEO_CAPS ? VIDEO : AUDIO]);
    return true;
  case PROP_STANDBY:
    g_value_set_enum (value, s.standby);
    return true;
  case PROP_RETRY_MAX_ATTEMPTS:
    g_value_set_int (value, s.retry_max_attempts);
    return true;
  case PROP_AUTO_FAILBACK:
    g_value_set_boolean (value, s.auto_failback);
    return true;
  case PROP_FALLBACK_IMAGE:
    g_value_set_string (
        value, s.fallback_image.empty () ? nullptr : s.fallback_image.c_str ());
    return true;
  case PROP_ALL_FAILED:
    g_value_set_enum (value, s.all_failed);
    return true;
  case PROP_ENABLE_VIDEO:
  case PROP_ENABLE_AUDIO:
    g_value_set_boolean (
        value, s.enable[prop_id == PROP_ENABLE_VIDEO ? VIDEO : AUDIO]);
    return true;
  default:
    return false;
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
  GstPadTemplate *video = gst_static_pad_template_get (&video_template);
  GstPadTemplate *audio = gst_static_pad_template_get (&audio_template);
  output_stage_init (self, video, audio);
  gst_object_unref (video);
  gst_object_unref (audio);
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

static const GParamFlags rw_ready
    = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                    | GST_PARAM_MUTABLE_READY);
static const GParamFlags rw_playing
    = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                    | GST_PARAM_MUTABLE_PLAYING);
static const GParamFlags ro
    = (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

/* A guint property from min to G_MAXUINT. */
static void
install_uint (GObjectClass *gobject_class, guint id, const char *name,
              const char *nick, const char *blurb, guint min, guint def,
              GParamFlags flags)
{
  g_object_class_install_property (
      gobject_class, id,
      g_param_spec_uint (name, nick, blurb, min, G_MAXUINT, def, flags));
}

/* The candidates and what happens when all fail. */
static void
install_candidate_props (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_URIS,
      g_param_spec_string (
          "uris", "URIs",
          "Candidate URIs in priority order, separated by '|', whitespace or "
          "newlines (any protocol with a GStreamer source: rtmp, srt, rtsp, "
          "http/HLS, file; whep:// and wheps:// through reswhepsrc; "
          "cluster://<cluster-id>/<path> through a clusterresolver).",
          nullptr, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_URI_LIST,
      g_param_spec_boxed (
          "uri-list", "URI list",
          "Candidate URIs in priority order as a string array; setting it "
          "also updates 'uris'.",
          G_TYPE_STRV, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_STANDBY,
      g_param_spec_enum (
          "standby", "Standby",
          "Cold starts the next candidate only when needed; hot keeps the "
          "next candidate connected and decoded for a switch of about one "
          "frame.",
          gst_failover_src_standby_get_type (), DEFAULT_STANDBY, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_ALL_FAILED,
      g_param_spec_enum (
          "all-failed", "All failed",
          "What happens when every candidate was given up (fatal errors or "
          "retry-max-attempts used up): error posts an ERROR naming each "
          "candidate's last failure, so gst-launch and scripts see a failure; "
          "eos posts a WARNING and ends the stream.",
          gst_failover_src_all_failed_get_type (), DEFAULT_ALL_FAILED,
          rw_ready));
}

/* The output: caps, latency, filler, enabled streams. */
static void
install_output_props (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_CAPS,
      g_param_spec_boxed (
          "video-caps", "Video caps",
          "Raw video caps every candidate is converted to (size, framerate, "
          "format); unset means lock onto the first candidate's format.",
          GST_TYPE_CAPS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_AUDIO_CAPS,
      g_param_spec_boxed (
          "audio-caps", "Audio caps",
          "Raw audio caps every candidate is converted to (rate, channels, "
          "format); unset means lock onto the first candidate's format.",
          GST_TYPE_CAPS, rw_ready));
  install_uint (
      gobject_class, PROP_LATENCY, "latency", "Latency",
      "Latency in milliseconds the element reports and uses to absorb "
      "network jitter and switch-time reordering.",
      0, DEFAULT_LATENCY_MS, rw_ready);
  install_uint (
      gobject_class, PROP_HOLD_LAST_FRAME, "hold-last-frame", "Hold last frame",
      "When nothing is healthy, how long in milliseconds the last frame "
      "is repeated before black or the fallback image; 0 shows black at "
      "once.",
      0, DEFAULT_HOLD_LAST_FRAME_MS, rw_playing);
  g_object_class_install_property (
      gobject_class, PROP_FALLBACK_IMAGE,
      g_param_spec_string (
          "fallback-image", "Fallback image",
          "Path of a PNG or JPEG image shown instead of black when nothing is "
          "healthy; unset shows black.",
          nullptr, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_ENABLE_VIDEO,
      g_param_spec_boolean (
          "enable-video", "Enable video",
          "Decode and output the candidates' video; FALSE leaves the video pad "
          "without data (an unlinked pad never fails the element either way).",
          DEFAULT_ENABLE_VIDEO, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_ENABLE_AUDIO,
      g_param_spec_boolean (
          "enable-audio", "Enable audio",
          "Decode and output the candidates' audio; FALSE leaves the audio pad "
          "without data (an unlinked pad never fails the element either way).",
          DEFAULT_ENABLE_AUDIO, rw_ready));
}

/* When a running candidate counts as failed. */
static void
install_health_props (GObjectClass *gobject_class)
{
  install_uint (
      gobject_class, PROP_TIMEOUT, "timeout", "Timeout",
      "Silence in milliseconds after which a running candidate counts as "
      "failed (errors, EOS and pad removal switch at once).",
      1, DEFAULT_TIMEOUT_MS, rw_playing);
  install_uint (
      gobject_class, PROP_STALL_TOLERANCE, "stall-tolerance", "Stall tolerance",
      "Silence in milliseconds a live candidate may show on top of its "
      "learned delivery rhythm before it counts as stalled, so that a "
      "network black hole is left well before 'timeout' (which stays the "
      "ceiling); 0 turns the adaptive detection off.",
      0, DEFAULT_STALL_TOLERANCE_MS, rw_playing);
  install_uint (
      gobject_class, PROP_ADAPTIVE_TIMEOUT, "adaptive-timeout",
      "Adaptive timeout",
      "Silence in milliseconds allowed to HLS/DASH/HTTP candidates, whose "
      "data arrives in segment bursts; the larger of this and 'timeout' "
      "applies to them.",
      1, DEFAULT_ADAPTIVE_TIMEOUT_MS, rw_playing);
  install_uint (gobject_class, PROP_STARTUP_TIMEOUT, "startup-timeout",
                "Startup timeout",
                "Time in milliseconds a starting candidate gets to deliver its "
                "first decoded frame before it counts as failed.",
                1, DEFAULT_STARTUP_TIMEOUT_MS, rw_playing);
  install_uint (
      gobject_class, PROP_CONNECT_TIMEOUT, "connect-timeout", "Connect timeout",
      "Time in milliseconds a starting candidate's source gets to put out "
      "its first byte (connection, handshake and protocol set-up) before "
      "the candidate fails as connect-failed; 0 leaves only "
      "'startup-timeout'. WHEP candidates bound their own stages.",
      0, DEFAULT_CONNECT_TIMEOUT_MS, rw_playing);
  install_uint (
      gobject_class, PROP_MIN_BITRATE, "min-bitrate", "Minimum bitrate",
      "Bitrate floor in kbit/s of the encoded data a candidate delivers; "
      "0 disables the bitrate check.",
      0, DEFAULT_MIN_BITRATE_KBPS, rw_playing);
  install_uint (gobject_class, PROP_BITRATE_WINDOW, "bitrate-window",
                "Bitrate window",
                "Length in milliseconds of one bitrate measurement window.", 1,
                DEFAULT_BITRATE_WINDOW_MS, rw_playing);
  install_uint (
      gobject_class, PROP_LOW_BITRATE_WINDOWS, "low-bitrate-windows",
      "Low bitrate windows",
      "Consecutive windows under 'min-bitrate' that count as a failure.", 1,
      DEFAULT_LOW_BITRATE_WINDOWS, rw_playing);
}

/* Content health: black, frozen, silent while connected. */
static void
install_content_props (GObjectClass *gobject_class)
{
  install_uint (gobject_class, PROP_BLACK_TIMEOUT, "black-timeout",
                "Black timeout",
                "Time in milliseconds a candidate's picture may stay black "
                "before it counts as failed (reason black); 0 turns the check "
                "off.",
                0, DEFAULT_BLACK_TIMEOUT_MS, rw_playing);
  install_uint (gobject_class, PROP_FROZEN_TIMEOUT, "frozen-timeout",
                "Frozen timeout",
                "Time in milliseconds a candidate's picture may stay the same "
                "(a repeated frame) before it counts as failed (reason "
                "frozen); 0 turns the check off.",
                0, DEFAULT_FROZEN_TIMEOUT_MS, rw_playing);
  install_uint (gobject_class, PROP_SILENCE_TIMEOUT, "silence-timeout",
                "Silence timeout",
                "Time in milliseconds a candidate's audio may stay silent "
                "(peak under -60 dBFS) before it counts as failed (reason "
                "silent); 0, the default, turns the check off.",
                0, DEFAULT_SILENCE_TIMEOUT_MS, rw_playing);
}

/* Retries and failback. */
static void
install_retry_props (GObjectClass *gobject_class)
{
  install_uint (
      gobject_class, PROP_RETRY_DELAY, "retry-delay", "Retry delay",
      "First retry delay in milliseconds of a failed candidate; later "
      "retries back off exponentially with jitter.",
      0, DEFAULT_RETRY_DELAY_MS, rw_playing);
  install_uint (gobject_class, PROP_RETRY_MAX_DELAY, "retry-max-delay",
                "Retry max delay", "Cap in milliseconds of the retry delay.", 0,
                DEFAULT_RETRY_MAX_DELAY_MS, rw_playing);
  g_object_class_install_property (
      gobject_class, PROP_RETRY_MAX_ATTEMPTS,
      g_param_spec_int (
          "retry-max-attempts", "Retry max attempts",
          "Retries per candidate before giving up on it; -1 is unlimited "
          "(fatal failures are never retried).",
          -1, G_MAXINT, DEFAULT_RETRY_MAX_ATTEMPTS, rw_playing));
  install_uint (
      gobject_class, PROP_FAILBACK_HOLDOFF, "failback-holdoff",
      "Failback hold-off",
      "Time in milliseconds a higher-priority candidate must be healthy "
      "before the output returns to it (doubled for a candidate that "
      "fails again soon after a failback).",
      0, DEFAULT_FAILBACK_HOLDOFF_MS, rw_playing);
  g_object_class_install_property (
      gobject_class, PROP_AUTO_FAILBACK,
      g_param_spec_boolean (
          "auto-failback", "Auto failback",
          "Return to a higher-priority candidate automatically once it has "
          "been healthy for the hold-off.",
          DEFAULT_AUTO_FAILBACK, rw_playing));
}

/* What the element is doing (and the manual switch). */
static void
install_state_props (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_ACTIVE_CANDIDATE,
      g_param_spec_int (
          "active-candidate", "Active candidate",
          "Index of the candidate on the output, -1 for filler; writing an "
          "index is a manual switch, writing -1 returns to automatic choice.",
          -1, G_MAXINT, -1, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_STATUS,
      g_param_spec_enum (
          "status", "Status",
          "What is on the output: stopped, starting, live (first candidate), "
          "backup (another candidate) or filler (nothing healthy).",
          gst_failover_src_status_get_type (), GST_FAILOVER_SRC_STATUS_STOPPED,
          ro));
  g_object_class_install_property (
      gobject_class, PROP_STATISTICS,
      g_param_spec_boxed (
          "statistics", "Statistics",
          "Counters and per-candidate state as an "
          "application/x-failoversrc-stats structure (see the element's "
          "documentation).",
          GST_TYPE_STRUCTURE, ro));
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
  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (
      element_class, "Failover source", "Source/Bin/Video/Audio",
      "Plays the best healthy of an ordered list of inputs of any protocol "
      "with continuous raw video and audio output",
      "gst-resilient");

  gst_type_mark_as_plugin_api (gst_failover_src_standby_get_type (),
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

  install_candidate_props (gobject_class);
  install_output_props (gobject_class);
  install_health_props (gobject_class);
  install_content_props (gobject_class);
  install_retry_props (gobject_class);
  install_state_props (gobject_class);
  install_signals (klass);
  install_pads_and_types (element_class);
}
