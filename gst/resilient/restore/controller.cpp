/* gst-resilient: autorestoresink's controller on the loop (controller.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/controller.h"

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

/* Posts `<element>-<event>` with the common fields. */
void
post_event (GstAutoRestoreSink *self, const char *event, GstStructure *s)
{
  gchar *name = g_strdup_printf ("autorestoresink-%s", event);
  gst_structure_set_name (s, name);
  g_free (name);
  resilient::gst::post_element_message (GST_ELEMENT (self), s);
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
      && !self->priv->front
              .swap_video_codec (
                  [t] (const std::string &c) { return t->accepts_codec (c); },
                  "destination-codec")
              .empty ())
    return CodecCheck::Wait;
  if ((priv->front.video ().linked && !caps.video)
      || (priv->front.audio ().linked && !caps.audio))
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
    self->priv->front.request_keyframe ();
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
    if (priv->front.video ().linked && priv->front.video ().caps)
      caps.video = gst_caps_ref (priv->front.video ().caps);
    if (priv->front.audio ().linked && priv->front.audio ().caps)
      caps.audio = gst_caps_ref (priv->front.audio ().caps);
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
  s->in_at_start
      = priv->front.video ().buffers_in + priv->front.audio ().buffers_in;
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
  post_event (self, "retry",
              gst_structure_new (
                  "x", "destination", G_TYPE_STRING,
                  slot_of (self, r->dest).display.c_str (), "attempt",
                  G_TYPE_INT, r->attempt, "reason", G_TYPE_STRING,
                  failure_name (slot_of (self, slot_idx).last_kind), nullptr));
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
                                 "reason", G_TYPE_STRING, failure_name (v.kind),
                                 nullptr));
  GST_INFO_OBJECT (self, "cluster: %s -> %s (%s)", from.c_str (),
                   slot.display.c_str (), failure_name (v.kind));
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
                  G_TYPE_STRING, failure_name (v.kind), nullptr));
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
  self->priv->reach.schedule (a.dest);
  if (a.warn && !f.was_up)
    GST_ELEMENT_WARNING (
        self, RESOURCE, OPEN_WRITE,
        ("Cannot publish to %s: %s; retry %d in %" G_GINT64_FORMAT " ms",
         slot.display.c_str (), v.reason.c_str (), a.attempt,
         to_ms (a.at - now)),
        ("%s", failure_name (v.kind)));
}

void
act_give_up (GstAutoRestoreSink *self, const FailureVerdict &v,
             const RestoreAction &a)
{
  RETURN_IF_NOT_ON_LOOP (self);
  Slot &slot = slot_of (self, a.dest);
  slot.gave_up = true;
  post_event (self, "gave-up",
              gst_structure_new (
                  "x", "destination", G_TYPE_STRING, slot.display.c_str (),
                  "reason", G_TYPE_STRING, failure_name (v.kind), "message",
                  G_TYPE_STRING, v.reason.c_str (), "fatal", G_TYPE_BOOLEAN,
                  FALSE, "tries", G_TYPE_INT, a.attempt, nullptr));
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
    slot.cluster->failed (failure_name (kind));
  if (priv->stopping)
    return;
  f.cluster_plan_left = f.cluster_host && slot.cluster->plan_left ();

  const FailureVerdict v = priv->coord.on_failure (f, now);
  slot.last_kind = v.kind;
  slot.last_reason = v.reason;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.last_failure
        = std::string (failure_name (v.kind)) + ": " + v.reason;
  }
  GST_WARNING_OBJECT (self, "session to %s failed (%s): %s",
                      slot.display.c_str (), failure_name (v.kind),
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
      priv->drain.finish_if_done ();
    } else {
      fail_session (self, s, FailureKind::PublishStopped, "the session ended",
                    true, true);
    }
    return;
  }
  if (s->draining) {
    destroy_session (self, s);
    priv->drain.finish_if_done ();
    return;
  }
  TransportFailure f = s->transport ()->classify (msg);
  if (!f.rejected_codec.empty () && priv->run.codec_fallback) {
    /* The server refused the video codec (WHIP without H264): another
     * codec the destination takes, in the running front, then again. */
    PublishTransport *t = s->transport ();
    const std::string refused = f.rejected_codec;
    if (!self->priv->front
             .swap_video_codec (
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
  cancel_timer (priv->loop, slot.probe_timer);
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
  /* The status first: a handler of "restored" reads "publishing". */
  update_status (self);
  /* The session began with the held group, sent in a burst; viewers that
   * join the restored stream a moment later get a fresh keyframe instead
   * of waiting a whole keyframe interval. */
  if (s->has_video ())
    self->priv->front.request_keyframe ();
  if (s->has_video () && outage)
    schedule_in_ms (self, RESTORE_KEYFRAME_REPEAT_MS, [keep = SelfRef (self)] {
      keep.p->priv->front.request_keyframe ();
    });
  if (outage) {
    post_event (self, "restored",
                gst_structure_new ("x", "destination", G_TYPE_STRING,
                                   slot.display.c_str (), "attempt", G_TYPE_INT,
                                   tries, "outage-ms", G_TYPE_INT64, outage_ms,
                                   "detection-ms", G_TYPE_INT64, detection_ms,
                                   "reason", G_TYPE_STRING,
                                   failure_name (slot.last_kind), nullptr));
  }
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
  cancel_timer (priv->loop, slot.retry_timer);
  cancel_timer (priv->loop, slot.probe_timer);
  on_retry_due (self, idx);
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
  if ((priv->front.video ().linked && !priv->front.video ().built)
      || (priv->front.audio ().linked && !priv->front.audio ().built))
    return;
  {
    /* ... and its encoded caps (an encoder's first output comes later
     * than its input caps). */
    std::lock_guard<std::mutex> g (priv->lock);
    if ((priv->front.video ().linked && !priv->front.video ().caps)
        || (priv->front.audio ().linked && !priv->front.audio ().caps))
      return;
  }
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->hold.set_has_video (priv->front.video ().linked);
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
  priv->health.schedule ();
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
    cancel_timer (priv->loop, slot.retry_timer);
    cancel_timer (priv->loop, slot.probe_timer);
  }
  priv->health.stop ();
  priv->reach.cancel ();
}

} // namespace resilient::gst::autorestore
