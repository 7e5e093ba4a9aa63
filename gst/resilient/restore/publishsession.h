/* gst-resilient: one publish session of autorestoresink.
 *
 * A session is a GstPipeline of its own, fed through appsrc elements (one
 * per stream) and ending in a PublishTransport's muxer and network sink
 * (flvmux ! rtmp2sink, mpegtsmux ! srtsink, WHIP). It runs on the owner's
 * clock and base time, so the buffers' upstream running time is its
 * running time too. A failed session is torn down and a new one built; the
 * owner's front never stops.
 *
 * Threads: build/play/teardown on the owner's control loop; push() and
 * set_caps() from the owner's streaming threads under the owner's lock
 * (`feeding` says whether the session takes media). ERROR and EOS of the
 * session's bus go to `on_end` from the thread that posted them (a bus
 * sync handler); the owner hops to its loop from there. Every other
 * message is dropped at once, so nothing of the session piles up.
 */
#pragma once

#include "common/publishtransport.h"
#include "resilient/core/time.h"
#include "resilient/restore/hold_queue.h"

#include <gst/gst.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace resilient::gst {

class PublishSession
{
public:
  /* ERROR or EOS on the session's bus (the posting thread). */
  using EndFn = std::function<void (std::uint64_t id, GstMessage *msg)>;

  PublishSession (std::uint64_t id, std::size_t slot, bool failback,
                  TimePoint started);
  PublishSession (const PublishSession &) = delete;
  PublishSession &operator= (const PublishSession &) = delete;
  ~PublishSession ();

  /* Builds the pipeline `name` on `owner`'s clock and base time: an appsrc
   * per non-null caps, then the transport's elements. On failure `error`
   * says why and nothing is left. */
  bool build (GstElement *owner, const std::string &name,
              std::unique_ptr<PublishTransport> transport, GstCaps *vcaps,
              GstCaps *acaps, EndFn on_end, std::string &error);
  /* To PLAYING; false when the state change failed at once (connect
   * errors are posted on the bus first and handled there). */
  bool play ();
  /* Held media first (it starts at a keyframe); true when it carried a
   * video keyframe. The caller holds the lock that guards the queue. */
  bool replay (const restore::HoldQueue<GstBuffer *> &hold);
  /* One buffer of a stream (a reference is taken). */
  void push (bool video, GstBuffer *buf);
  /* New caps of a stream. */
  void set_caps (bool video, GstCaps *caps);
  /* Lets the muxer finish and the network sink send its stop commands. */
  void end_of_stream ();
  /* Tears the pipeline down. `detach`: a transport whose teardown is slow
   * (WHIP's DELETE) is torn down on a thread of its own. */
  void teardown (bool detach);

  bool has_video () const { return vsrc_ != nullptr; }
  bool has_audio () const { return asrc_ != nullptr; }
  PublishTransport *transport () const { return transport_.get (); }
  GstElement *pipeline () const { return pipeline_; }

  const std::uint64_t id;
  const std::size_t slot;
  const TimePoint started;
  /* A make-before-break attempt to return to the primary (cleared when it
   * becomes the destination's session). */
  bool failback = false;
  /* The URL the cluster gave this session (cluster:// destinations). */
  std::string cluster_url;
  /* Media the fronts had taken in when the session started: the connect
   * timeout only runs while media comes. */
  std::uint64_t in_at_start = 0;
  /* Being fed by the streaming threads (under the owner's lock). */
  bool feeding = false;
  bool up = false;
  bool failed = false;
  bool draining = false;
  TimePoint last_bitrate_sample{};
  /* When the peer last showed it had our media (TransportHealth's
   * ack_age_ms), if the transport tells. */
  std::optional<TimePoint> last_ack;

private:
  struct BusCtx;
  static GstBusSyncReply on_bus (GstBus *bus, GstMessage *msg, gpointer data);
  static GstBusSyncReply drop_all (GstBus *, GstMessage *msg, gpointer);

  GstElement *pipeline_ = nullptr;
  GstElement *vsrc_ = nullptr;
  GstElement *asrc_ = nullptr;
  std::unique_ptr<PublishTransport> transport_;
};

} // namespace resilient::gst
