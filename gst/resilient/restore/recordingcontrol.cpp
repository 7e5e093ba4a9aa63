/* gst-resilient: autorestoresink's recording on the loop
 * (recordingcontrol.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/recordingcontrol.h"

#include "restore/controller.h"
#include "restore/publishfront.h"

namespace resilient::gst::autorestore {

bool
RecordingControl::open (std::string &error)
{
  const Settings &st = self_->priv->run;
  if (st.recording_location.empty ())
    return true;
  resilient::gst::RecordingConfig rc;
  rc.location = st.recording_location;
  rc.max_size_bytes = st.recording_max_size_bytes;
  rc.max_duration_ms = st.recording_max_duration_ms;
  rc.muxer = st.recording_muxer;
  return recording_.open (GST_BIN (self_), rc, error);
}

bool
RecordingControl::add_branch (Front &f)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self_, false);
  return recording_.add_stream (f.tee, f.video, parser_for_codec (f.codec));
}

void
RecordingControl::teardown ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  recording_.close ();
}

void
RecordingControl::try_resume ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  auto *self = self_;
  auto *priv = self->priv;
  timer_ = 0;
  if (!failed_ || !priv->started || priv->stopping || priv->drain.draining ())
    return;
  std::string why, error;
  if (!resilient::gst::Recording::writable (priv->run.recording_location,
                                            why)) {
    GST_DEBUG_OBJECT (self, "recording still cannot write: %s", why.c_str ());
    schedule_retry ();
    return;
  }
  bool ok = open (error);
  /* Added to a running bin: started here, before media comes. */
  ok = ok && gst_element_sync_state_with_parent (recording_.muxer ());
  for (Front *f : { &priv->front.video (), &priv->front.audio () })
    if (ok && f->built && f->tee)
      ok = add_branch (*f);
  if (!ok) {
    GST_WARNING_OBJECT (self, "cannot rebuild the recording: %s",
                        error.c_str ());
    teardown ();
    schedule_retry ();
    return;
  }
  failed_ = false;
  recording_.set_blocked (false);
  self->priv->front.request_keyframe ();
  const guint index = recording_.clips_opened ();
  GST_INFO_OBJECT (self, "recording resumed with clip %u", index);
  post_event (self, "recording-resumed",
              gst_structure_new ("x", "location", G_TYPE_STRING,
                                 priv->run.recording_location.c_str (), "index",
                                 G_TYPE_UINT, index, nullptr));
}

void
RecordingControl::schedule_retry ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  if (timer_)
    return;
  timer_ = schedule_in_ms (self_, RECORDING_RETRY_MS, [keep = SelfRef (self_)] {
    keep.p->priv->recorder.try_resume ();
  });
}

/* A WARNING and a message; publishing goes on and the recording tries
 * again with a new clip. */
void
RecordingControl::on_failed (const std::string &location,
                             const std::string &why)
{
  RETURN_IF_NOT_ON_LOOP (self_);
  auto *self = self_;
  auto *priv = self->priv;
  if (failed_ || !recording_.is_open ()) {
    recording_.set_blocked (failed_);
    return;
  }
  failed_ = true;
  recording_.set_blocked (true);
  teardown ();
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
  priv->drain.finish_if_done ();
  schedule_retry ();
}

bool
RecordingControl::begin (std::string &error)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self_, false);
  eos_ = false;
  return recording_.is_open () || open (error);
}

void
RecordingControl::stop ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  cancel_timer (self_->priv->loop, timer_);
}

void
RecordingControl::close ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  teardown ();
  failed_ = false;
  recording_.set_blocked (false);
  recording_.reset_counts ();
}

} // namespace resilient::gst::autorestore
