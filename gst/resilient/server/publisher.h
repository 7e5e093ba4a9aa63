/* gst-resilient server side: one WHIP publisher session of
 * reswhipserversrc.
 *
 * Its own pipeline: webrtcbin (receiving) -> decodebin -> convert/scale to
 * the output stage's caps -> appsink, one branch per kind, built on the
 * loop before the answer so that webrtcbin's and decodebin's pad-added
 * (streaming threads) only link pads. The appsinks hand their buffers to
 * the IngestOutput only while the session is the active publisher; RTP
 * reaching webrtcbin's source pads is counted (the element's liveness
 * check reads the count). Failures (ICE/DTLS failed or closed, a pipeline
 * error) are reported through `on_failed`, from any thread.
 */
#pragma once

#include "server/ingestoutput.h"

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace resilient::gst::server {

class Publisher
{
public:
  using Failed = std::function<void (const std::string &why)>;

  Publisher (std::string id, std::string remote,
             std::shared_ptr<IngestOutput> out, Failed on_failed);
  ~Publisher (); /* loop thread: the pipeline goes to NULL */
  Publisher (const Publisher &) = delete;
  Publisher &operator= (const Publisher &) = delete;

  /* Loop thread: the pipeline, PLAYING on `clock`. */
  bool start (GstClock *clock, bool loopback, std::string &error);
  /* Loop thread, once the offer is applied: RTCP from us every
   * `rtcp_interval_ms`, so the publisher hears from us often. False when
   * webrtcbin has no RTP session yet. */
  bool watch_session (unsigned rtcp_interval_ms);

  GstElement *webrtc () const { return webrtc_; }
  const std::string &id () const { return id_; }
  const std::string &remote () const { return remote_; }
  std::string etag () const { return "\"" + id_.substr (0, 8) + "-1\""; }
  void set_active (bool a) { shared_->active = a; }
  std::uint64_t rtp_packets () const { return shared_->rtp.load (); }
  std::uint64_t frames () const { return shared_->frames.load (); }

  struct Shared
  {
    std::shared_ptr<IngestOutput> out;
    Failed on_failed;
    std::atomic<bool> active{ false };
    std::atomic<std::uint64_t> rtp{ 0 };
    std::atomic<std::uint64_t> frames{ 0 };
    GstElement *video_in = nullptr; /* the branches' decodebins (owned by */
    GstElement *audio_in = nullptr; /* the pipeline) */
  };

private:
  std::string id_;
  std::string remote_;
  std::shared_ptr<Shared> shared_;
  GstElement *pipeline_ = nullptr;
  GstElement *webrtc_ = nullptr; /* owned by the pipeline */
};

} // namespace resilient::gst::server
