/* gst-resilient: autorestoresink's health tick (healthtick.cpp).
 *
 * Every TICK_MS while publishing: each session's transport is polled;
 * a session comes up, or fails on the connect timeout, or is republished
 * on a bitrate or ping verdict (BitrateWatch, PingWatch of its Slot); and
 * a backup's fail-back to the primary starts when the coordinator says it
 * is due. Owns the tick's timer. Loop only.
 */
#pragma once

#include "restore/sinkpart.h"
#include "common/controlloop.h"
#include "resilient/core/failure.h"
#include "resilient/core/time.h"

#include <cstdint>
#include <memory>
#include <string>

namespace resilient::gst {
class PublishSession;
}

namespace resilient::gst::autorestore {

class HealthTick : public SinkPart
{
public:
  using SinkPart::SinkPart;

  /* The next tick in TICK_MS (none while one is due, or stopped). */
  void schedule ();
  /* A manual stop: no tick from now on. */
  void stop ();

private:
  using Session = resilient::gst::PublishSession;
  void run ();
  void check_session (const std::shared_ptr<Session> &s,
                      resilient::TimePoint now, std::uint64_t in_total);
  void maybe_fail_back (resilient::TimePoint now);
  void republish (std::shared_ptr<Session> s, resilient::Failure kind,
                  const std::string &reason);

  ControlLoop::TimerId timer_ = 0;
};

} // namespace resilient::gst::autorestore
