/* gst-resilient: autorestoresink's EOS drain (eosdrain.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/eosdrain.h"

#include "restore/controller.h"

namespace resilient::gst::autorestore {

void
EosDrain::finish_if_done ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  auto *priv = self_->priv;
  if (!draining_ || posted_)
    return;
  bool sessions_left;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    sessions_left = !priv->sessions.empty ();
  }
  if (sessions_left || !priv->recorder.drained ())
    return;
  posted_ = true;
  stop ();
  GST_INFO_OBJECT (self_, "all sessions drained, posting EOS");
  gst_element_post_message (GST_ELEMENT (self_),
                            gst_message_new_eos (GST_OBJECT (self_)));
  update_status (self_);
}

void
EosDrain::on_front_eos (bool video)
{
  RETURN_IF_NOT_ON_LOOP (self_);
  auto *self = self_;
  auto *priv = self->priv;
  (video ? priv->front.video () : priv->front.audio ()).eos = true;
  if ((priv->front.video ().linked && !priv->front.video ().eos)
      || (priv->front.audio ().linked && !priv->front.audio ().eos)
      || draining_)
    return;
  GST_INFO_OBJECT (self, "EOS on every input: stopping without restore");
  manual_stop (self);
  draining_ = true;
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
  timer_ = schedule_in_ms (
      self, priv->run.eos_drain_timeout_ms,
      [keep = SelfRef (self)] { keep.p->priv->drain.on_timeout (); });
  finish_if_done ();
}

void
EosDrain::on_timeout ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  auto *priv = self_->priv;
  timer_ = 0;
  std::vector<std::shared_ptr<Session>> left;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    left = priv->sessions;
  }
  for (auto &s : left)
    destroy_session (self_, s);
  /* Do not wait for the recording longer than for the sessions. */
  priv->recorder.on_eos ();
  finish_if_done ();
}

void
EosDrain::reset ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  draining_ = false;
  posted_ = false;
}

void
EosDrain::stop ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  cancel_timer (self_->priv->loop, timer_);
}

} // namespace resilient::gst::autorestore
