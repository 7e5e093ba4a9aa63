/* gst-resilient: autorestoresink's recording on the loop
 * (recordingcontrol.cpp).
 *
 * Owns the run's Recording (restore/recording.h), whether its EOS came
 * in, whether it failed and the timer that tries it again. A failure
 * (unwritable, disk full) takes every branch down with a WARNING and a
 * message; publishing goes on, and every RECORDING_RETRY_MS the
 * recording tries again with a new clip. Loop only, except `clips ()`,
 * whose Recording says which of its calls any thread may make.
 */
#pragma once

#include "restore/sinkpart.h"
#include "common/controlloop.h"
#include "restore/recording.h"

#include <string>

namespace resilient::gst::autorestore {

struct Front;

class RecordingControl : public SinkPart
{
public:
  using SinkPart::SinkPart;

  resilient::gst::Recording &clips () { return recording_; }

  /* Opens the splitmuxsink of the run's recording-location (nothing to do
   * without one). */
  bool open (std::string &error);
  /* The recording branch of one built front. */
  bool add_branch (Front &f);
  /* Every branch and the splitmuxsink gone. */
  void teardown ();
  /* The recording's first failure: WARNING, message, retry. */
  void on_failed (const std::string &location, const std::string &why);
  /* The splitmuxsink's EOS came in (or the EOS drain stopped waiting). */
  void on_eos () { eos_ = true; }
  /* Whether the EOS drain may finish: no recording, or its EOS came. */
  bool drained () const { return !recording_.is_open () || eos_; }
  /* A new run (READY->PAUSED): opened if it is not. */
  bool begin (std::string &error);
  /* PAUSED->READY: no retry from now on. */
  void stop ();
  /* READY->NULL: taken down, counts and failure state reset. */
  void close ();

private:
  void try_resume ();
  void schedule_retry ();

  resilient::gst::Recording recording_;
  bool eos_ = false;
  /* Failed: its branches are gone and `timer_` tries again. */
  bool failed_ = false;
  ControlLoop::TimerId timer_ = 0;
};

} // namespace resilient::gst::autorestore
