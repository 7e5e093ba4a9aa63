/* gst-resilient: the base of autorestoresink's parts (HealthTick,
 * Reachability, EosDrain, RecordingControl, PublishFront).
 *
 * Each part is a member of the element's Private and owns its own state;
 * it reaches the element through `self_` (no reference: the part lives
 * inside the element) and is never copied.
 */
#pragma once

typedef struct _GstAutoRestoreSink GstAutoRestoreSink;

namespace resilient::gst::autorestore {

class SinkPart
{
public:
  explicit SinkPart (GstAutoRestoreSink *self) : self_ (self) {}
  SinkPart (const SinkPart &) = delete;
  SinkPart &operator= (const SinkPart &) = delete;

protected:
  ~SinkPart () = default;
  GstAutoRestoreSink *self_;
};

} // namespace resilient::gst::autorestore
