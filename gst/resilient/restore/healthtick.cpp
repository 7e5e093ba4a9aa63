/* gst-resilient: autorestoresink's health tick (healthtick.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/healthtick.h"

#include "restore/controller.h"
#include "restore/publishfront.h"

#include <algorithm>

namespace resilient::gst::autorestore {

/* Republish after a health verdict; with H264 on a destination that also
 * takes another codec, swap the encoder first (the seed's H264 -> VP8). */
void
HealthTick::republish (std::shared_ptr<Session> s, FailureKind kind,
                       const std::string &reason)
{
  auto *self = self_;
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.republishes++;
  }
  post_event (self, "republish",
              gst_structure_new ("x", "destination", G_TYPE_STRING,
                                 s->transport ()->display_uri ().c_str (),
                                 "reason", G_TYPE_STRING, failure_name (kind),
                                 nullptr));
  /* The seed's "change codec": nothing left with this codec, try another
   * one the destination takes (H264 -> VP8 on WHIP). RTMP and SRT carry
   * no fallback codec, so there this is a plain republish. */
  if (kind == FailureKind::BitrateZero && priv->run.codec_fallback) {
    PublishTransport *t = s->transport ();
    const std::string current = priv->front.video ().codec;
    self->priv->front.swap_video_codec (
        [t, current] (const std::string &c) {
          return c != current && t->accepts_codec (c);
        },
        "bitrate-zero");
  }
  fail_session (self, s, kind, reason, true, false);
}

/* One session's health on a tick: up, connect timeout, bitrate and ping
 * watches (a verdict fails or republishes it). */
void
HealthTick::check_session (const std::shared_ptr<Session> &s, TimePoint now,
                           std::uint64_t in_total)
{
  auto *self = self_;
  auto *priv = self->priv;
  TransportHealth h = s->transport ()->poll ();
  if (h.ack_age_ms >= 0)
    s->last_ack = now - ms (h.ack_age_ms);
  Slot &slot = slot_of (self, s->slot);
  if (!s->up && h.up) {
    on_session_up (self, s);
  } else if (!s->up && priv->run.connect_timeout_ms > 0
             && now - s->started >= ms (priv->run.connect_timeout_ms)
             && priv->front.video ().buffers_in
                        + priv->front.audio ().buffers_in
                    > s->in_at_start) {
    /* Media came in but no stage of the connect (TCP connect,
     * handshake, publish / SRT handshake / WHIP exchange) finished in
     * time: a server sending garbage or stalling. */
    fail_session (self, s, FailureKind::ConnectFailed,
                  s->transport ()->connect_stall_reason ().value_or (
                      "not publishing "
                      + std::to_string (priv->run.connect_timeout_ms)
                      + " ms after connecting (connect-timeout): the "
                        "server did not complete the connect, handshake "
                        "or publish"),
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
      republish (s, FailureKind::BitrateZero,
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
    republish (s, FailureKind::PingsMissing,
               std::to_string (slot.pings.missing ()) + " pings missing");
}

/* Fail back to the primary after the hold-off (make-before-break: the
 * backup publishes until the primary's session is up). */
void
HealthTick::maybe_fail_back (TimePoint now)
{
  auto *self = self_;
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
HealthTick::run ()
{
  auto *self = self_;
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  timer_ = 0;
  if (!priv->started || priv->stopping)
    return;
  const TimePoint now = now_of (self);
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    sessions = priv->sessions;
  }
  const std::uint64_t in_total
      = priv->front.video ().bytes_in + priv->front.audio ().bytes_in;
  for (auto &s : sessions)
    if (!s->failed && !s->draining && s->transport ())
      check_session (s, now, in_total);
  maybe_fail_back (now);
  schedule ();
}

void
HealthTick::schedule ()
{
  auto *self = self_;
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (timer_ || !priv->started || priv->stopping)
    return;
  timer_ = schedule_in_ms (
      self, TICK_MS, [keep = SelfRef (self)] { keep.p->priv->health.run (); });
}
void
HealthTick::stop ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  cancel_timer (self_->priv->loop, timer_);
}

} // namespace resilient::gst::autorestore
