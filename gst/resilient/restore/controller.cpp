/* gst-resilient: autorestoresink's controller on the loop (controller.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/controller.h"

#include "common/clusterwatch.h"
#include "resilient/core/textlist.h"
#include "restore/publishfront.h"

#include <gst/video/video.h>

#include <algorithm>
#include <cstring>

namespace resilient::gst::autorestore {

GstClock *
control_clock (GstAutoRestoreSink *self)
{
  GstClock *c = gst_element_get_clock (GST_ELEMENT (self));
  if (!c)
    c = gst_system_clock_obtain ();
  return c;
}

TimePoint
now_of (GstAutoRestoreSink *self)
{
  GstClock *c = control_clock (self);
  GstClockTime t = gst_clock_get_time (c);
  gst_object_unref (c);
  return from_ns (t);
}

ControlLoop::TimerId
schedule_in_ms (GstAutoRestoreSink *self, std::int64_t ms_,
                ControlLoop::Task task)
{
  GstClock *c = control_clock (self);
  auto id = self->priv->loop.schedule_in (
      c, (GstClockTime)std::max<std::int64_t> (ms_, 0) * GST_MSECOND,
      std::move (task));
  gst_object_unref (c);
  return id;
}

std::vector<std::string>
split (const std::string &s, const char *seps)
{
  return resilient::split_words (s, seps);
}

/* Posts `<element>-<event>` with the common fields. */
void
post_event (GstAutoRestoreSink *self, const char *event, GstStructure *s)
{
  gchar *name = g_strdup_printf ("autorestoresink-%s", event);
  gst_structure_set_name (s, name);
  g_free (name);
  resilient::gst::post_element_message (GST_ELEMENT (self), s);
}

/* ---------------------------------------------------------- recording */

/* Takes the recording down: every branch and the splitmuxsink (loop). */
void
teardown_recording (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  self->priv->recording.close ();
}

/* The recording branch of one built front (loop). */
bool
build_recording_branch (GstAutoRestoreSink *self, Front &f)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  return self->priv->recording.add_stream (f.tee, f.video,
                                           parser_for_codec (f.codec));
}

void
try_resume_recording (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  priv->recording_timer = 0;
  if (!priv->recording_failed || !priv->started || priv->stopping
      || priv->draining_eos)
    return;
  std::string why, error;
  if (!resilient::gst::Recording::writable (priv->run.recording_location,
                                            why)) {
    GST_DEBUG_OBJECT (self, "recording still cannot write: %s", why.c_str ());
    schedule_recording_retry (self);
    return;
  }
  bool ok = setup_recording (self, error);
  /* Added to a running bin: started here, before media comes. */
  ok = ok && gst_element_sync_state_with_parent (priv->recording.muxer ());
  for (Front *f : { &priv->video, &priv->audio })
    if (ok && f->built && f->tee)
      ok = build_recording_branch (self, *f);
  if (!ok) {
    GST_WARNING_OBJECT (self, "cannot rebuild the recording: %s",
                        error.c_str ());
    teardown_recording (self);
    schedule_recording_retry (self);
    return;
  }
  priv->recording_failed = false;
  priv->recording.set_blocked (false);
  request_keyframe (self);
  const guint index = priv->recording.clips_opened ();
  GST_INFO_OBJECT (self, "recording resumed with clip %u", index);
  post_event (self, "recording-resumed",
              gst_structure_new ("x", "location", G_TYPE_STRING,
                                 priv->run.recording_location.c_str (), "index",
                                 G_TYPE_UINT, index, nullptr));
}

void
schedule_recording_retry (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->recording_timer)
    return;
  priv->recording_timer
      = schedule_in_ms (self, RECORDING_RETRY_MS, [keep = SelfRef (self)] {
          try_resume_recording (keep.p);
        });
}

/* The recording failed (loop): a WARNING and a message, publishing goes on
 * and the recording tries again with a new clip. */
void
on_recording_failed (GstAutoRestoreSink *self, const std::string &location,
                     const std::string &why)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->recording_failed || !priv->recording.is_open ()) {
    priv->recording.set_blocked (priv->recording_failed);
    return;
  }
  priv->recording_failed = true;
  priv->recording.set_blocked (true);
  teardown_recording (self);
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.recording_failures++;
  }
  const std::string where
      = location.empty () ? priv->run.recording_location : location;
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
                       ("Recording to %s failed, publishing goes on: %s",
                        where.c_str (), why.c_str ()),
                       ("the recording tries again every %d ms with a new "
                        "clip",
                        RECORDING_RETRY_MS));
  post_event (self, "recording-failed",
              gst_structure_new ("x", "location", G_TYPE_STRING, where.c_str (),
                                 "message", G_TYPE_STRING, why.c_str (),
                                 nullptr));
  /* The drain at EOS does not wait for a recording that is gone. */
  finish_eos_if_done (self);
  schedule_recording_retry (self);
}

/* ----------------------------------------------------------- sessions */

Slot &
slot_of (GstAutoRestoreSink *self, size_t idx)
{
  return self->priv->slots[idx];
}

/* ERROR or EOS of a session (the thread that posted it): to the loop. */
void
on_session_end (GstAutoRestoreSink *self, std::uint64_t id, GstMessage *msg)
{
  self->priv->loop.post ([keep = SelfRef (self), id, m = MessageRef (msg)] {
    on_session_message (keep.p, id, m.m);
  });
}

void
destroy_session (GstAutoRestoreSink *self, std::shared_ptr<Session> s)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    s->feeding = false;
    priv->sessions.erase (
        std::remove (priv->sessions.begin (), priv->sessions.end (), s),
        priv->sessions.end ());
  }
  /* WHIP's DELETE must not hold the loop: the next session starts now. */
  s->teardown (!priv->stopping);
  for (auto &slot : priv->slots)
    if (slot.session == s)
      slot.session.reset ();
}

void
report_fatal (GstAutoRestoreSink *self, const std::string &reason, bool local,
              const std::string &destination)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.last_failure = reason;
  }
  priv->fatal = true;
  post_event (self, "gave-up",
              gst_structure_new (
                  "x", "destination", G_TYPE_STRING, destination.c_str (),
                  "reason", G_TYPE_STRING, local ? "local-error" : "refused",
                  "message", G_TYPE_STRING, reason.c_str (), "fatal",
                  G_TYPE_BOOLEAN, TRUE, "tries", G_TYPE_INT, 0, nullptr));
  if (local)
    GST_ELEMENT_ERROR (self, CORE, FAILED, ("%s", reason.c_str ()),
                       ("autorestoresink does not retry local errors"));
  else
    GST_ELEMENT_ERROR (
        self, RESOURCE, NOT_AUTHORIZED, ("%s", reason.c_str ()),
        ("destination %s; autorestoresink does not retry a refusal",
         destination.c_str ()));
  update_status (self);
}

/* The URI a new session of `slot_idx` publishes to: for a cluster://
 * destination the host the resolver names (kept across a postponed
 * start); nullopt when no host can take the stream (the failure is
 * handled: the restore wait, then a fresh resolution). */
static std::optional<std::string>
destination_uri (GstAutoRestoreSink *self, size_t slot_idx, bool failback)
{
  auto *priv = self->priv;
  Slot &slot = slot_of (self, slot_idx);
  if (!slot.cluster)
    return slot.uri;
  if (slot.cluster_url.empty ()) {
    auto a = slot.cluster->next ();
    if (!a) {
      auto s = std::make_shared<Session> (priv->next_session_id++, slot_idx,
                                          failback, now_of (self));
      fail_session (self, s, FailureKind::ConnectFailed,
                    "no host of cluster '" + slot.cluster->cluster_id ()
                        + "' can take the stream (" + slot.cluster->last_note ()
                        + ")",
                    false, false);
      return std::nullopt;
    }
    slot.cluster_url = a->url;
    slot.display = resilient::gst::redact_uri (a->url);
  }
  return slot.cluster_url;
}

namespace {

/* The fronts' encoded caps a session is built for (linked streams). */
struct StreamCaps
{
  GstCaps *video = nullptr;
  GstCaps *audio = nullptr;
  StreamCaps () = default;
  StreamCaps (const StreamCaps &) = delete;
  ~StreamCaps ()
  {
    if (video)
      gst_caps_unref (video);
    if (audio)
      gst_caps_unref (audio);
  }
};

enum class CodecCheck {
  Go,    /* build the session */
  Wait,  /* an encoder is being swapped: start on its first caps */
  Fatal, /* the destination cannot carry a codec: `error` */
};

} // namespace

/* Whether `t` carries the fronts' codecs; with codec-fallback, a video
 * codec it cannot carry gets another encoder in the running front. */
static CodecCheck
check_codecs (GstAutoRestoreSink *self, PublishTransport *t,
              const StreamCaps &caps, std::string &error)
{
  auto *priv = self->priv;
  if (caps.video && !t->accepts_codec (codec_name_of_caps (caps.video))
      && priv->run.codec_fallback
      && !swap_video_codec (
              self, [t] (const std::string &c) { return t->accepts_codec (c); },
              "destination-codec")
              .empty ())
    return CodecCheck::Wait;
  if ((priv->video.linked && !caps.video)
      || (priv->audio.linked && !caps.audio))
    return CodecCheck::Wait;
  for (auto *c : { caps.video, caps.audio }) {
    if (c && !t->accepts_codec (codec_name_of_caps (c)))
      error = "destination " + t->display_uri () + " (" + t->protocol ()
              + ") cannot carry " + codec_name_of_caps (c)
              + ": choose another encoder or destination";
  }
  return error.empty () ? CodecCheck::Go : CodecCheck::Fatal;
}

/* A built session starts: to PLAYING, then fed (held media first, it
 * starts at a keyframe, then live media). */
static void
launch_session (GstAutoRestoreSink *self, Slot &slot,
                const std::shared_ptr<Session> &s)
{
  auto *priv = self->priv;
  if (!s->failback)
    slot.session = s;
  slot.bitrate.reset ();
  slot.pings.reset (s->started);
  GST_INFO_OBJECT (self, "session %" G_GUINT64_FORMAT " to %s%s", s->id,
                   s->transport ()->display_uri ().c_str (),
                   s->failback ? " (fail-back)" : "");
  if (!s->play ()) {
    /* Connect errors are posted on the bus first and handled there. */
    GST_WARNING_OBJECT (self, "session %" G_GUINT64_FORMAT " failed to start",
                        s->id);
  }
  bool had_key = false;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->sessions.push_back (s);
    had_key = s->replay (priv->hold);
    s->feeding = true;
  }
  if (!had_key && s->has_video ())
    request_keyframe (self);
}

void
start_session (GstAutoRestoreSink *self, size_t slot_idx, bool failback)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->stopping || priv->fatal)
    return;
  Slot &slot = slot_of (self, slot_idx);
  if (slot.session && !failback)
    return;
  auto uri = destination_uri (self, slot_idx, failback);
  if (!uri)
    return;
  std::string error;
  auto transport = resilient::gst::make_publish_transport (*uri, error);
  if (!transport) {
    report_fatal (self, error, true, slot.display);
    return;
  }
  transport->set_liveness (priv->run.ping_check_period_ms,
                           priv->run.missing_pings);
  StreamCaps caps;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    if (priv->video.linked && priv->video.caps)
      caps.video = gst_caps_ref (priv->video.caps);
    if (priv->audio.linked && priv->audio.caps)
      caps.audio = gst_caps_ref (priv->audio.caps);
  }
  switch (check_codecs (self, transport.get (), caps, error)) {
  case CodecCheck::Wait:
    priv->pending_start = slot_idx;
    return;
  case CodecCheck::Fatal:
    /* Codecs this destination cannot carry are a configuration error. */
    report_fatal (self, error, true, slot.display);
    return;
  case CodecCheck::Go:
    break;
  }
  auto s = std::make_shared<Session> (priv->next_session_id++, slot_idx,
                                      failback, now_of (self));
  s->in_at_start = priv->video.buffers_in + priv->audio.buffers_in;
  gchar *pname = g_strdup_printf ("%s-session%" G_GUINT64_FORMAT,
                                  GST_OBJECT_NAME (self), s->id);
  bool built = s->build (
      GST_ELEMENT (self), pname, std::move (transport), caps.video, caps.audio,
      [self] (std::uint64_t id, GstMessage *m) {
        on_session_end (self, id, m);
      },
      error);
  g_free (pname);
  if (!built) {
    report_fatal (self, error, true, slot.display);
    return;
  }
  s->cluster_url = std::move (slot.cluster_url);
  slot.cluster_url.clear ();
  launch_session (self, slot, s);
  update_status (self);
}

std::shared_ptr<Session>
find_session (GstAutoRestoreSink *self, std::uint64_t id)
{
  std::lock_guard<std::mutex> g (self->priv->lock);
  for (auto &s : self->priv->sessions)
    if (s->id == id)
      return s;
  return nullptr;
}

void
update_hold_limit (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  bool up = false;
  for (auto &slot : priv->slots)
    up = up || (slot.session && slot.session->up);
  std::lock_guard<std::mutex> g (priv->lock);
  priv->any_up = up;
  /* While media flows only the current group of pictures is held (a new
   * session starts from its keyframe); during an outage up to
   * max-hold-time. */
  priv->hold.set_limit (up ? Duration::zero ()
                           : ms (priv->run.max_hold_time_ms));
}

void
update_status (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  GstAutoRestoreSinkStatus st = GST_AUTO_RESTORE_SINK_STATUS_STOPPED;
  if (priv->fatal) {
    st = GST_AUTO_RESTORE_SINK_STATUS_FAILED;
  } else if (priv->started && !priv->stopping) {
    bool up = false, waiting = false, gave_up = !priv->slots.empty ();
    bool ever = false;
    for (auto &slot : priv->slots) {
      up = up || (slot.session && slot.session->up);
      gave_up = gave_up && slot.gave_up;
    }
    for (size_t i = 0; i < priv->slots.size (); i++) {
      const RestoreScheduler &sched = priv->coord.own_scheduler (i);
      waiting = waiting || sched.state () == RestoreState::Waiting
                || sched.outage_start ().has_value ();
      ever = ever || sched.total_retries () > 0;
    }
    if (!priv->run.redundant && !priv->slots.empty ())
      gave_up = priv->slots[0].gave_up;
    if (up)
      st = GST_AUTO_RESTORE_SINK_STATUS_PUBLISHING;
    else if (gave_up)
      st = GST_AUTO_RESTORE_SINK_STATUS_GAVE_UP;
    else if (waiting || ever)
      st = GST_AUTO_RESTORE_SINK_STATUS_RESTORING;
    else
      st = GST_AUTO_RESTORE_SINK_STATUS_CONNECTING;
  }
  bool changed;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    changed = priv->status != st;
    priv->status = st;
  }
  if (changed)
    g_object_notify (G_OBJECT (self), "status");
}

void
schedule_retry_at (GstAutoRestoreSink *self, size_t slot_idx, TimePoint at)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  Slot &slot = slot_of (self, slot_idx);
  if (slot.retry_timer)
    priv->loop.cancel (slot.retry_timer);
  std::int64_t delay = to_ms (at - now_of (self));
  slot.retry_timer
      = schedule_in_ms (self, delay, [keep = SelfRef (self), slot_idx] {
          keep.p->priv->slots[slot_idx].retry_timer = 0;
          on_retry_due (keep.p, slot_idx);
        });
}

void
on_retry_due (GstAutoRestoreSink *self, size_t slot_idx)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->stopping || priv->fatal)
    return;
  auto r = priv->coord.on_retry_due (slot_idx, now_of (self));
  if (!r)
    return;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.retries++;
    if (r->switched)
      priv->stats.failovers++;
  }
  post_event (
      self, "retry",
      gst_structure_new ("x", "destination", G_TYPE_STRING,
                         slot_of (self, r->dest).display.c_str (), "attempt",
                         G_TYPE_INT, r->attempt, "reason", G_TYPE_STRING,
                         failure_kind_name (slot_of (self, slot_idx).last_kind),
                         nullptr));
  start_session (self, r->dest, false);
}

/* The coordinator's actions after a failure, one function each. */

void
act_fatal (GstAutoRestoreSink *self, const FailureVerdict &v,
           const RestoreAction &a)
{
  RETURN_IF_NOT_ON_LOOP (self);
  Slot &slot = slot_of (self, a.dest);
  slot.fatal = true;
  report_fatal (self, v.reason, a.local, slot.display);
  update_hold_limit (self);
}

void
act_restoring (GstAutoRestoreSink *self, const FailureVerdict &v,
               const RestoreAction &a)
{
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
                       ("Publishing to %s failed, restoring: %s",
                        slot_of (self, a.dest).display.c_str (),
                        v.reason.c_str ()),
                       (nullptr));
}

void
act_next_cluster_host (GstAutoRestoreSink *self, const FailureVerdict &v,
                       const RestoreAction &a)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  Slot &slot = slot_of (self, a.dest);
  if (a.cancel_retry && slot.retry_timer) {
    priv->loop.cancel (slot.retry_timer);
    slot.retry_timer = 0;
  }
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.retries++;
  }
  const std::string from = slot.display;
  start_session (self, a.dest, false);
  post_event (self, "retry",
              gst_structure_new ("x", "destination", G_TYPE_STRING,
                                 slot.display.c_str (), "attempt", G_TYPE_INT,
                                 priv->coord.scheduler (a.dest).tries (),
                                 "reason", G_TYPE_STRING,
                                 failure_kind_name (v.kind), nullptr));
  GST_INFO_OBJECT (self, "cluster: %s -> %s (%s)", from.c_str (),
                   slot.display.c_str (), failure_kind_name (v.kind));
}

void
act_failover (GstAutoRestoreSink *self, const FailureVerdict &v,
              const RestoreAction &a)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.failovers++;
  }
  post_event (self, "failover",
              gst_structure_new (
                  "x", "from", G_TYPE_STRING,
                  slot_of (self, a.from).display.c_str (), "to", G_TYPE_STRING,
                  slot_of (self, a.dest).display.c_str (), "reason",
                  G_TYPE_STRING, failure_kind_name (v.kind), nullptr));
  start_session (self, a.dest, false);
}

void
act_retry_at (GstAutoRestoreSink *self, const SessionFailure &f,
              const FailureVerdict &v, const RestoreAction &a, TimePoint now)
{
  RETURN_IF_NOT_ON_LOOP (self);
  Slot &slot = slot_of (self, a.dest);
  GST_INFO_OBJECT (self, "retry %d to %s in %" G_GINT64_FORMAT " ms", a.attempt,
                   slot.display.c_str (), to_ms (a.at - now));
  schedule_retry_at (self, a.dest, a.at);
  /* A server that accepted the connection and then failed it is retried
   * on this schedule; probes only skip the wait for a server that was
   * down and accepts again. */
  slot.reach.on_failure (f.accepted, now, a.floor);
  schedule_probe (self, a.dest);
  if (a.warn && !f.was_up)
    GST_ELEMENT_WARNING (
        self, RESOURCE, OPEN_WRITE,
        ("Cannot publish to %s: %s; retry %d in %" G_GINT64_FORMAT " ms",
         slot.display.c_str (), v.reason.c_str (), a.attempt,
         to_ms (a.at - now)),
        ("%s", failure_kind_name (v.kind)));
}

void
act_give_up (GstAutoRestoreSink *self, const FailureVerdict &v,
             const RestoreAction &a)
{
  RETURN_IF_NOT_ON_LOOP (self);
  Slot &slot = slot_of (self, a.dest);
  slot.gave_up = true;
  post_event (self, "gave-up",
              gst_structure_new ("x", "destination", G_TYPE_STRING,
                                 slot.display.c_str (), "reason", G_TYPE_STRING,
                                 failure_kind_name (v.kind), "message",
                                 G_TYPE_STRING, v.reason.c_str (), "fatal",
                                 G_TYPE_BOOLEAN, FALSE, "tries", G_TYPE_INT,
                                 a.attempt, nullptr));
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
                       ("Gave up publishing to %s after %d tries",
                        slot.display.c_str (), a.attempt),
                       ("%s", v.reason.c_str ()));
}

void
apply_action (GstAutoRestoreSink *self, const SessionFailure &f,
              const FailureVerdict &v, const RestoreAction &a, TimePoint now)
{
  switch (a.kind) {
  case RestoreAction::Kind::KeepBackup:
    break;
  case RestoreAction::Kind::Fatal:
    act_fatal (self, v, a);
    break;
  case RestoreAction::Kind::Restoring:
    act_restoring (self, v, a);
    break;
  case RestoreAction::Kind::NextClusterHost:
    act_next_cluster_host (self, v, a);
    break;
  case RestoreAction::Kind::Failover:
    act_failover (self, v, a);
    break;
  case RestoreAction::Kind::RetryAt:
    act_retry_at (self, f, v, a, now);
    break;
  case RestoreAction::Kind::GiveUp:
    act_give_up (self, v, a);
    break;
  }
}

/* A failure of a session: tear it down, let the coordinator classify it
 * and decide (fail-back, fatal, cluster host, failover, retry or give
 * up), then carry out its actions in order. */
void
fail_session (GstAutoRestoreSink *self, std::shared_ptr<Session> s,
              FailureKind kind, const std::string &reason, bool accepted,
              bool closed_by_peer)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (!s || s->failed)
    return;
  s->failed = true;
  const TimePoint now = now_of (self);
  Slot &slot = slot_of (self, s->slot);
  SessionFailure f;
  f.dest = s->slot;
  f.kind = kind;
  f.reason = reason;
  f.accepted = accepted;
  f.closed_by_peer = closed_by_peer;
  f.was_up = s->up;
  f.failback = s->failback;
  f.lifetime = now - s->started;
  f.retry_after_ms = std::exchange (slot.retry_after_ms, -1);
  if (f.was_up && !priv->coord.scheduler (f.dest).outage_start ()) {
    slot.seen_outage_start = s->last_ack ? std::min (*s->last_ack, now) : now;
    slot.detection_ms
        = s->last_ack ? to_ms (now - *slot.seen_outage_start) : -1;
  }
  destroy_session (self, s);
  f.cluster_host = slot.cluster && !s->cluster_url.empty ();
  if (f.cluster_host)
    /* "cluster-down" is not held against the host. */
    slot.cluster->failed (failure_kind_name (kind));
  if (priv->stopping)
    return;
  f.cluster_plan_left = f.cluster_host && slot.cluster->plan_left ();

  const FailureVerdict v = priv->coord.on_failure (f, now);
  slot.last_kind = v.kind;
  slot.last_reason = v.reason;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.last_failure
        = std::string (failure_kind_name (v.kind)) + ": " + v.reason;
  }
  GST_WARNING_OBJECT (self, "session to %s failed (%s): %s",
                      slot.display.c_str (), failure_kind_name (v.kind),
                      v.reason.c_str ());
  /* Media is held for a new session from here on (before one starts). */
  if (!f.failback && !is_fatal (v.kind))
    update_hold_limit (self);
  for (const RestoreAction &a : v.actions)
    apply_action (self, f, v, a, now);
  update_status (self);
}

void
on_session_message (GstAutoRestoreSink *self, std::uint64_t id, GstMessage *msg)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  auto s = find_session (self, id);
  if (!s)
    return;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    if (s->draining) {
      destroy_session (self, s);
      finish_eos_if_done (self);
    } else {
      fail_session (self, s, FailureKind::PublishStopped, "the session ended",
                    true, true);
    }
    return;
  }
  if (s->draining) {
    destroy_session (self, s);
    finish_eos_if_done (self);
    return;
  }
  TransportFailure f = s->transport ()->classify (msg);
  if (!f.rejected_codec.empty () && priv->run.codec_fallback) {
    /* The server refused the video codec (WHIP without H264): another
     * codec the destination takes, in the running front, then again. */
    PublishTransport *t = s->transport ();
    const std::string refused = f.rejected_codec;
    if (!swap_video_codec (
             self,
             [t, refused] (const std::string &c) {
               return c != refused && t->accepts_codec (c);
             },
             "codec-refused")
             .empty ())
      f.kind = FailureKind::PublishStopped;
  }
  /* The server's Retry-After is a floor on the restore schedule (read by
   * this failure only: a session already failed ignores it). */
  if (!s->failed)
    slot_of (self, s->slot).retry_after_ms
        = s->failback ? -1 : f.retry_after_ms;
  fail_session (self, s, f.kind, f.reason, f.accepted, f.closed_by_peer);
}

void
on_session_up (GstAutoRestoreSink *self, std::shared_ptr<Session> s)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  const TimePoint now = now_of (self);
  s->up = true;
  Slot &slot = slot_of (self, s->slot);
  slot.reach.reset ();
  if (slot.probe_timer) {
    priv->loop.cancel (slot.probe_timer);
    slot.probe_timer = 0;
  }
  slot.gave_up = false;
  if (slot.cluster && !s->cluster_url.empty ())
    slot.cluster->succeeded ();

  const UpResult result = priv->coord.on_up (s->slot, s->failback, now);
  if (result.failback_from) {
    const std::string from = slot_of (self, *result.failback_from).display;
    /* Make-before-break: the primary carries media, drop the backup. */
    for (auto &other : priv->slots)
      if (other.session && &other != &slot)
        destroy_session (self, other.session);
    s->failback = false;
    slot.session = s;
    {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->stats.failovers++;
    }
    post_event (self, "failover",
                gst_structure_new ("x", "from", G_TYPE_STRING, from.c_str (),
                                   "to", G_TYPE_STRING, slot.display.c_str (),
                                   "reason", G_TYPE_STRING, "failback",
                                   nullptr));
  }

  auto outage = result.outage_start;
  const int tries = result.tries;
  update_hold_limit (self);
  /* Viewers lost the stream with the last media the peer acknowledged,
   * before the failure was noticed. */
  if (outage && slot.seen_outage_start && *slot.seen_outage_start < *outage)
    outage = slot.seen_outage_start;
  std::int64_t outage_ms = outage ? to_ms (now - *outage) : -1;
  const std::int64_t detection_ms = slot.detection_ms;
  slot.seen_outage_start.reset ();
  slot.detection_ms = -1;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.destination = slot.display;
    priv->stats.destination_index = (int)s->slot;
    if (outage) {
      priv->stats.restores++;
      priv->stats.last_outage_ms = outage_ms;
      priv->stats.max_outage_ms
          = std::max (priv->stats.max_outage_ms, outage_ms);
    }
  }
  GST_INFO_OBJECT (self, "publishing to %s", slot.display.c_str ());
  /* The session began with the held group, sent in a burst; viewers that
   * join the restored stream a moment later get a fresh keyframe instead
   * of waiting a whole keyframe interval. */
  if (s->has_video ())
    request_keyframe (self);
  if (s->has_video () && outage)
    schedule_in_ms (self, RESTORE_KEYFRAME_REPEAT_MS,
                    [keep = SelfRef (self)] { request_keyframe (keep.p); });
  if (outage) {
    post_event (
        self, "restored",
        gst_structure_new ("x", "destination", G_TYPE_STRING,
                           slot.display.c_str (), "attempt", G_TYPE_INT, tries,
                           "outage-ms", G_TYPE_INT64, outage_ms, "detection-ms",
                           G_TYPE_INT64, detection_ms, "reason", G_TYPE_STRING,
                           failure_kind_name (slot.last_kind), nullptr));
  }
  update_status (self);
}

/* Republish after a health verdict; with H264 on a destination that also
 * takes another codec, swap the encoder first (the seed's H264 -> VP8). */
void
republish (GstAutoRestoreSink *self, std::shared_ptr<Session> s,
           FailureKind kind, const std::string &reason)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.republishes++;
  }
  post_event (self, "republish",
              gst_structure_new ("x", "destination", G_TYPE_STRING,
                                 s->transport ()->display_uri ().c_str (),
                                 "reason", G_TYPE_STRING,
                                 failure_kind_name (kind), nullptr));
  /* The seed's "change codec": nothing left with this codec, try another
   * one the destination takes (H264 -> VP8 on WHIP). RTMP and SRT carry
   * no fallback codec, so there this is a plain republish. */
  if (kind == FailureKind::BitrateZero && priv->run.codec_fallback) {
    PublishTransport *t = s->transport ();
    const std::string current = priv->video.codec;
    swap_video_codec (
        self,
        [t, current] (const std::string &c) {
          return c != current && t->accepts_codec (c);
        },
        "bitrate-zero");
  }
  fail_session (self, s, kind, reason, true, false);
}

/* One session's health on a tick: up, connect timeout, bitrate and ping
 * watches (a verdict fails or republishes it). */
static void
check_session (GstAutoRestoreSink *self, const std::shared_ptr<Session> &s,
               TimePoint now, std::uint64_t in_total)
{
  auto *priv = self->priv;
  TransportHealth h = s->transport ()->poll ();
  if (h.ack_age_ms >= 0)
    s->last_ack = now - ms (h.ack_age_ms);
  Slot &slot = slot_of (self, s->slot);
  if (!s->up && h.up) {
    on_session_up (self, s);
  } else if (!s->up && priv->run.connect_timeout_ms > 0
             && now - s->started >= ms (priv->run.connect_timeout_ms)
             && priv->video.buffers_in + priv->audio.buffers_in
                    > s->in_at_start) {
    /* Media came in but no stage of the connect (TCP connect,
     * handshake, publish / SRT handshake / WHIP exchange) finished in
     * time: a server sending garbage or stalling. */
    fail_session (self, s, FailureKind::ConnectFailed,
                  "not publishing "
                      + std::to_string (priv->run.connect_timeout_ms)
                      + " ms after connecting (connect-timeout): the "
                        "server did not complete the connect, handshake "
                        "or publish",
                  true, false);
    return;
  } else if (!s->up) {
    GST_DEBUG_OBJECT (self,
                      "session %" G_GUINT64_FORMAT
                      " not up yet: %" G_GUINT64_FORMAT
                      " buffers, %" G_GUINT64_FORMAT " bytes out",
                      s->id, s->transport ()->probed_buffers (), h.bytes_out);
  }
  if (!s->up)
    return;
  /* The stats shown are those of the session carrying media. */
  bool main = slot.session == s;
  if (priv->run.check_bitrate
      && now - s->last_bitrate_sample
             >= ms (priv->run.bitrate_check_interval_ms)) {
    s->last_bitrate_sample = now;
    auto v = slot.bitrate.sample (now, h.bytes_out, in_total);
    if (main) {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->stats.bitrate_kbps = slot.bitrate.last_kbps ();
      priv->stats.zero_bitrate_intervals = slot.bitrate.zero_count ();
    }
    if (v == BitrateWatch::Verdict::Failed) {
      republish (self, s, FailureKind::BitrateZero,
                 "no bytes left for "
                     + std::to_string (slot.bitrate.zero_count ())
                     + " check intervals while media came in");
      return;
    }
  }
  bool dead = slot.pings.sample (now, h.pings, h.owed);
  if (main) {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.bytes_out = h.bytes_out;
    priv->stats.pings = h.pings;
    priv->stats.missing_pings = slot.pings.missing ();
    priv->stats.rtt_ms = h.rtt_ms;
  }
  if (dead)
    republish (self, s, FailureKind::PingsMissing,
               std::to_string (slot.pings.missing ()) + " pings missing");
}

/* Fail back to the primary after the hold-off (make-before-break: the
 * backup publishes until the primary's session is up). */
static void
maybe_fail_back (GstAutoRestoreSink *self, TimePoint now)
{
  auto *priv = self->priv;
  if (priv->run.redundant || priv->slots.size () <= 1)
    return;
  auto due = priv->coord.destinations ().failback_due ();
  bool attempt_running = false;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    for (auto &s : priv->sessions)
      attempt_running = attempt_running || s->failback;
  }
  Slot &active = slot_of (self, priv->coord.destinations ().active ());
  if (due && now >= *due && !attempt_running && active.session
      && active.session->up) {
    priv->coord.on_failback_failed (now); /* next try after hold-off */
    start_session (self, 0, true);
  }
}

void
tick (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  priv->tick_timer = 0;
  if (!priv->started || priv->stopping)
    return;
  const TimePoint now = now_of (self);
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    sessions = priv->sessions;
  }
  const std::uint64_t in_total = priv->video.bytes_in + priv->audio.bytes_in;
  for (auto &s : sessions)
    if (!s->failed && !s->draining && s->transport ())
      check_session (self, s, now, in_total);
  maybe_fail_back (self, now);
  schedule_tick (self);
}

void
schedule_tick (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->tick_timer || !priv->started || priv->stopping)
    return;
  priv->tick_timer = schedule_in_ms (
      self, TICK_MS, [keep = SelfRef (self)] { tick (keep.p); });
}

/* Skip the wait for `idx` (server reachable, network changed). */
void
retry_now (GstAutoRestoreSink *self, size_t idx, const char *why)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->stopping || priv->fatal)
    return;
  auto v = priv->coord.on_reachable (idx, now_of (self));
  if (v.action != RestoreVerdict::Action::RetryAt)
    return;
  GST_INFO_OBJECT (self, "%s: retrying %s now", why,
                   slot_of (self, idx).display.c_str ());
  Slot &slot = slot_of (self, idx);
  if (slot.retry_timer) {
    priv->loop.cancel (slot.retry_timer);
    slot.retry_timer = 0;
  }
  if (slot.probe_timer) {
    priv->loop.cancel (slot.probe_timer);
    slot.probe_timer = 0;
  }
  on_retry_due (self, idx);
}

struct ProbeCtx
{
  SelfRef self;
  size_t idx;
};

void
probe_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  auto *ctx = static_cast<ProbeCtx *> (user_data);
  GstAutoRestoreSink *self = ctx->self.p;
  self->priv->probes_in_flight--;
  GSocketConnection *conn = g_socket_client_connect_to_host_finish (
      G_SOCKET_CLIENT (source), res, nullptr);
  /* Runs on the loop thread (its context is the thread default there). */
  if (conn) {
    g_io_stream_close (G_IO_STREAM (conn), nullptr, nullptr);
    g_object_unref (conn);
  }
  if (ctx->idx < self->priv->slots.size () && !self->priv->stopping) {
    Slot &slot = self->priv->slots[ctx->idx];
    slot.probing = false;
    if (!conn)
      /* The server is down: the sessions it closed were not refusals. */
      self->priv->coord.on_unreachable (ctx->idx);
    if (slot.reach.on_probe_result (conn != nullptr, now_of (self)))
      retry_now (self, ctx->idx, "server accepts connections again");
    else
      schedule_probe (self, ctx->idx);
  }
  delete ctx;
}

void
probe_reachability (GstAutoRestoreSink *self, size_t idx)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  Slot &slot = slot_of (self, idx);
  std::string err;
  auto t = resilient::gst::make_publish_transport (slot.uri, err);
  auto addr = t ? t->tcp_probe_address () : std::nullopt;
  if (!addr)
    return;
  slot.probing = true;
  slot.reach.on_probe_started (now_of (self));
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.probes++;
  }
  GSocketClient *client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 1);
  priv->probes_in_flight++;
  g_socket_client_connect_to_host_async (
      client, addr->first.c_str (), (guint16)addr->second, priv->probe_cancel,
      probe_done, new ProbeCtx{ SelfRef (self), idx });
  g_object_unref (client);
}

/* The next probe of `idx` while it waits to retry, when its ReachProbe
 * says (loop only). */
void
schedule_probe (GstAutoRestoreSink *self, size_t idx)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  Slot &slot = slot_of (self, idx);
  if (slot.probe_timer) {
    priv->loop.cancel (slot.probe_timer);
    slot.probe_timer = 0;
  }
  if (priv->run.probe_interval_ms == 0 || slot.probing || !slot.retry_timer
      || priv->stopping)
    return;
  auto at = slot.reach.next_probe ();
  if (!at)
    return;
  /* No reference: the timer is cancelled on stop and the loop stopped
   * before the element goes away. */
  slot.probe_timer
      = schedule_in_ms (self, to_ms (*at - now_of (self)), [self, idx] {
          Slot &slot = self->priv->slots[idx];
          slot.probe_timer = 0;
          if (slot.retry_timer && !self->priv->stopping)
            probe_reachability (self, idx);
        });
}

void
on_network_changed (GNetworkMonitor *monitor, gboolean available,
                    gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  GST_INFO_OBJECT (self, "network changed, available: %d", available);
  self->priv->loop.post ([keep = SelfRef (self), available] {
    auto *self = keep.p;
    auto *priv = self->priv;
    if (available && priv->started) {
      {
        std::lock_guard<std::mutex> g (priv->lock);
        priv->stats.network_changes++;
      }
      for (size_t i = 0; i < priv->slots.size (); i++)
        retry_now (self, i, "network changed");
    }
  });
}

void
maybe_start_publishing (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (!priv->started || priv->stopping || priv->fatal)
    return;
  /* Every linked input must have its front: a session is built for the
   * streams it will carry for its whole life. */
  if ((priv->video.linked && !priv->video.built)
      || (priv->audio.linked && !priv->audio.built))
    return;
  {
    /* ... and its encoded caps (an encoder's first output comes later
     * than its input caps). */
    std::lock_guard<std::mutex> g (priv->lock);
    if ((priv->video.linked && !priv->video.caps)
        || (priv->audio.linked && !priv->audio.caps))
      return;
  }
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->hold.set_has_video (priv->video.linked);
  }
  if (priv->pending_start) {
    size_t idx = *priv->pending_start;
    priv->pending_start.reset ();
    start_session (self, idx, false);
    return;
  }
  bool any = false;
  for (size_t i = 0; i < priv->slots.size (); i++)
    any = any || priv->slots[i].session
          || priv->coord.own_scheduler (i).state () != RestoreState::Idle;
  if (any)
    return;
  priv->coord.start (now_of (self));
  if (priv->run.redundant) {
    for (size_t i = 0; i < priv->slots.size (); i++)
      start_session (self, i, false);
  } else {
    start_session (self, 0, false);
  }
  schedule_tick (self);
}

/* --------------------------------------------------------------- EOS */

void
finish_eos_if_done (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (!priv->draining_eos || priv->eos_posted)
    return;
  bool sessions_left;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    sessions_left = !priv->sessions.empty ();
  }
  if (sessions_left || (priv->recording.is_open () && !priv->recording_eos))
    return;
  priv->eos_posted = true;
  if (priv->drain_timer) {
    priv->loop.cancel (priv->drain_timer);
    priv->drain_timer = 0;
  }
  GST_INFO_OBJECT (self, "all sessions drained, posting EOS");
  gst_element_post_message (GST_ELEMENT (self),
                            gst_message_new_eos (GST_OBJECT (self)));
  update_status (self);
}

/* A manual stop: no failure from now on restores anything. */
void
manual_stop (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  priv->stopping = true;
  priv->coord.on_manual_stop ();
  for (auto &slot : priv->slots) {
    if (slot.retry_timer) {
      priv->loop.cancel (slot.retry_timer);
      slot.retry_timer = 0;
    }
    if (slot.probe_timer) {
      priv->loop.cancel (slot.probe_timer);
      slot.probe_timer = 0;
    }
  }
  if (priv->tick_timer) {
    priv->loop.cancel (priv->tick_timer);
    priv->tick_timer = 0;
  }
  if (priv->probe_cancel)
    g_cancellable_cancel (priv->probe_cancel);
}

void
on_front_eos (GstAutoRestoreSink *self, bool video)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  (video ? priv->video : priv->audio).eos = true;
  if ((priv->video.linked && !priv->video.eos)
      || (priv->audio.linked && !priv->audio.eos) || priv->draining_eos)
    return;
  GST_INFO_OBJECT (self, "EOS on every input: stopping without restore");
  manual_stop (self);
  priv->draining_eos = true;
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    sessions = priv->sessions;
  }
  for (auto &s : sessions) {
    if (s->up) {
      s->draining = true;
      /* Lets the muxer finish and rtmp2sink send its stop commands. */
      s->end_of_stream ();
    } else {
      destroy_session (self, s);
    }
  }
  priv->drain_timer = schedule_in_ms (
      self, priv->run.eos_drain_timeout_ms, [keep = SelfRef (self)] {
        auto *self = keep.p;
        auto *priv = self->priv;
        priv->drain_timer = 0;
        std::vector<std::shared_ptr<Session>> left;
        {
          std::lock_guard<std::mutex> g (priv->lock);
          left = priv->sessions;
        }
        for (auto &s : left)
          destroy_session (self, s);
        /* Do not wait for the recording longer than for the sessions. */
        priv->recording_eos = true;
        finish_eos_if_done (self);
      });
  finish_eos_if_done (self);
}

/* A cluster:// destination for messages: the path (a stream key) is
 * redacted like an RTMP key. */
std::string
cluster_display (const std::string &uri)
{
  auto u = resilient::cluster::parse_cluster_uri (uri);
  if (!u)
    return resilient::gst::redact_uri (uri);
  return "cluster://" + u->id + "/***";
}

/* The resolver's status callback reported the host (or stream) of a
 * cluster destination down: the session using it fails at once with
 * "cluster-down" (listener thread -> loop; only a weak reference to the
 * element is held). */
void
watch_cluster (GstAutoRestoreSink *self, size_t idx,
               const std::shared_ptr<resilient::cluster::ClusterClient> &client)
{
  std::weak_ptr<resilient::cluster::ClusterClient> wc = client;
  watch_cluster_down<GstAutoRestoreSink> (
      self, client,
      [idx, wc] (GstAutoRestoreSink *s, const std::string &what) {
        auto *priv = s->priv;
        auto client = wc.lock ();
        auto cur = client ? client->current () : std::nullopt;
        std::shared_ptr<Session> hit;
        if (cur && idx < priv->slots.size ()
            && priv->slots[idx].cluster == client) {
          std::lock_guard<std::mutex> g (priv->lock);
          for (auto &x : priv->sessions)
            if (x->slot == idx && x->cluster_url == cur->url && !x->failed
                && !x->draining)
              hit = x;
        }
        if (!hit)
          return;
        GST_INFO_OBJECT (s,
                         "cluster status: %s down, session %" G_GUINT64_FORMAT
                         " moves on",
                         what.c_str (), hit->id);
        fail_session (s, hit, FailureKind::ClusterDown,
                      "status callback: " + what + " reported down", true,
                      false);
      });
}

bool
setup_run (GstAutoRestoreSink *self, std::string &error)
{
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    priv->run = priv->settings;
  }
  const Settings &st = priv->run;
  auto uris = split (st.location, " \t\n");
  if (uris.empty ()) {
    error = "no destination: set the location property to an rtmp://, "
            "rtmps:// or srt:// URI";
    return false;
  }
  std::vector<std::shared_ptr<resilient::cluster::ClusterClient>> clusters;
  for (auto &u : uris) {
    if (resilient::cluster::ClusterClient::is_cluster_uri (u)) {
      auto client = std::make_shared<resilient::cluster::ClusterClient> (u);
      std::string why;
      if (!client->attach (why)) {
        error = "destination '" + cluster_display (u) + "': " + why
                + ": add a clusterresolver with cluster-id="
                + client->cluster_id ()
                + " to the pipeline, or fix the location property";
        return false;
      }
      clusters.push_back (client);
      continue;
    }
    clusters.push_back (nullptr);
    if (!resilient::gst::publish_transport_supports (u)) {
      resilient::gst::make_publish_transport (u, error);
      return false;
    }
  }
  RestorePolicy policy;
  policy.enabled = st.restore;
  policy.interval = ms (st.restore_interval_ms);
  policy.max_tries = st.restore_max_tries;
  policy.fast_first = st.restore_fast_first;
  policy.exponential = st.restore_backoff;
  policy.max_interval = ms (st.restore_max_interval_ms);
  priv->slots.clear ();
  priv->slots.reserve (uris.size ());
  for (size_t i = 0; i < uris.size (); i++) {
    Slot slot{ uris[i],
               clusters[i] ? cluster_display (uris[i])
                           : resilient::gst::redact_uri (uris[i]),
               BitrateWatch (ms (st.bitrate_check_interval_ms),
                             (int)st.bitrate_max_tries),
               PingWatch (ms (st.ping_check_period_ms),
                          (int)st.missing_pings) };
    slot.reach = ReachProbe (
        { ms (std::min<guint> (PROBE_MIN_INTERVAL_MS, st.probe_interval_ms)),
          ms (st.probe_interval_ms), PROBE_GROWTH });
    slot.cluster = clusters[i];
    if (slot.cluster)
      watch_cluster (self, i, slot.cluster);
    priv->slots.push_back (std::move (slot));
  }
  CoordinatorConfig cc;
  cc.redundant = st.redundant;
  cc.policy = policy;
  cc.failback_holdoff = ms (st.failback_holdoff_ms);
  priv->coord = RestoreCoordinator (cc, uris.size ());

  std::vector<EncoderCandidate> cands, fallback;
  for (auto &n : split (st.video_encoder, ", "))
    cands.push_back ({ n, codec_of_factory (n) });
  for (auto &n : split (st.fallback_video_encoder, ", "))
    fallback.push_back ({ n, codec_of_factory (n) });
  priv->chain
      = std::make_unique<EncoderChain> (cands, fallback, st.codec_fallback);
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats = Stats ();
    priv->hold.set_limit (ms (st.max_hold_time_ms));
  }
  priv->fatal = false;
  return true;
}

bool
setup_recording (GstAutoRestoreSink *self, std::string &error)
{
  auto *priv = self->priv;
  const Settings &st = priv->run;
  if (st.recording_location.empty ())
    return true;
  resilient::gst::RecordingConfig rc;
  rc.location = st.recording_location;
  rc.max_size_bytes = st.recording_max_size_bytes;
  rc.max_duration_ms = st.recording_max_duration_ms;
  rc.muxer = st.recording_muxer;
  return priv->recording.open (GST_BIN (self), rc, error);
}

/* ------------------------------------------------------ the run */

/* NULL->READY: settings copied, destinations checked, the loop started.
 * Runs before the loop does: from then on its state is written on it. */
bool
open_run (GstAutoRestoreSink *self, std::string &error)
{
  auto *priv = self->priv;
  if (!setup_run (self, error))
    return false;
  priv->probe_cancel = g_cancellable_new ();
  priv->loop.start ();
  if (priv->run.network_monitor)
    priv->loop.post_and_wait ([self] {
      auto *priv = self->priv;
      priv->monitor
          = G_NETWORK_MONITOR (g_object_ref (g_network_monitor_get_default ()));
      priv->monitor_handler
          = g_signal_connect (priv->monitor, "network-changed",
                              G_CALLBACK (on_network_changed), self);
    });
  return true;
}

/* READY->PAUSED (loop): a new run publishes afresh; a manual stop only
 * held for the run it ended. */
bool
begin_publishing (GstAutoRestoreSink *self, std::string &error)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  auto *priv = self->priv;
  priv->video.linked = gst_pad_is_linked (priv->video.ghost);
  priv->audio.linked = gst_pad_is_linked (priv->audio.ghost);
  priv->video.eos = priv->audio.eos = false;
  priv->stopping = false;
  priv->eos_posted = false;
  priv->draining_eos = false;
  priv->recording_eos = false;
  for (auto &slot : priv->slots) {
    slot.gave_up = false;
    slot.fatal = false;
  }
  priv->fatal = false;
  priv->pending_start.reset ();
  priv->coord.reset ();
  priv->started = true;
  bool ok = priv->recording.is_open () || setup_recording (self, error);
  update_status (self);
  return ok;
}

static void
cancel_timer (GstAutoRestoreSink *self, ControlLoop::TimerId &id)
{
  if (id) {
    self->priv->loop.cancel (id);
    id = 0;
  }
}

/* PAUSED->READY (loop): a manual stop, everything torn down, never
 * restored. */
void
stop_publishing (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  manual_stop (self);
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    all = priv->sessions;
  }
  for (auto &s : all)
    destroy_session (self, s);
  /* Sessions torn down earlier on their own threads (WHIP DELETEs). */
  resilient::gst::wait_detached_teardowns ();
  {
    /* The next run starts on its own first media. */
    std::lock_guard<std::mutex> g (priv->lock);
    gst_caps_replace (&priv->video.caps, nullptr);
    gst_caps_replace (&priv->audio.caps, nullptr);
    priv->hold.clear ([] (GstBuffer *&b) { gst_buffer_unref (b); });
  }
  cancel_timer (self, priv->drain_timer);
  cancel_timer (self, priv->failback_timer);
  cancel_timer (self, priv->recording_timer);
  priv->started = false;
}

/* READY->NULL (loop, then the loop stops): probes, network monitor,
 * recording and fronts gone; the run's destinations dropped on the loop
 * that owns them. */
void
close_run (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  /* Probes still connecting own a socket and a reference to the element:
   * cancel them and let their callbacks run before the loop (and its
   * context) goes away. */
  if (priv->probe_cancel)
    g_cancellable_cancel (priv->probe_cancel);
  GMainContext *ctx = priv->loop.context ();
  while (priv->probes_in_flight > 0)
    g_main_context_iteration (ctx, TRUE);
  if (priv->monitor) {
    g_signal_handler_disconnect (priv->monitor, priv->monitor_handler);
    g_clear_object (&priv->monitor);
  }
  teardown_recording (self);
  priv->recording_failed = false;
  priv->recording.set_blocked (false);
  priv->recording.reset_counts ();
  teardown_front (self, priv->video);
  teardown_front (self, priv->audio);
  priv->slots.clear ();
  priv->chain.reset ();
}

} // namespace resilient::gst::autorestore
