/* gst-resilient server side: reswhepserversink's one encode, handed to
 * every viewer.
 *
 * Per kind (video, audio) one chain in the element: queue -> convert ->
 * encoder -> payloader -> appsink for raw input, queue -> parser ->
 * payloader -> appsink for encoded input. Every RTP packet the appsink
 * gets is pushed (PTS turned into running time once per packet, payload
 * type rewritten for a viewer whose offer chose another) into each
 * viewer's appsrc on the list the loop last published.
 *
 * Threads: the chains are built and dropped on the state-change / request
 * thread; the appsink streaming threads copy the current list (a
 * shared_ptr) and caps under the fan-out's own lock and push after
 * unlocking; the loop publishes new lists. The lock is a leaf: nothing is
 * called out while holding it.
 */
#pragma once

#include "server/directsend.h"
#include "server/whepsinksettings.h"

#include <gst/app/app.h>
#include <gst/gst.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace resilient::gst::server {

class FanOut
{
public:
  /* One viewer's appsrc as the streaming threads see it. */
  struct Out
  {
    GstElement *appsrc; /* a ref */
    int pt;
    /* caps generation last set on the appsrc */
    std::shared_ptr<std::atomic<std::uint64_t>> caps_gen;
    std::string plid; /* H264 profile-level-id the viewer asked for */
    /* a joining viewer's video queue (see JoinQueue), or null */
    std::shared_ptr<std::atomic<int>> join;
    guint max_buffers = 0; /* the appsrc's bound */
    /* the viewer's direct send path, or null (webrtcbin's path only) */
    std::shared_ptr<DirectSend> direct;

    Out (GstElement *src, int p, std::string profile = {},
         std::shared_ptr<std::atomic<int>> join_queue = nullptr, guint max = 0,
         std::shared_ptr<DirectSend> direct_send = nullptr);
    Out (const Out &o);
    Out &operator= (const Out &) = delete;
    ~Out ();
  };
  using OutList = std::shared_ptr<const std::vector<Out>>;

  /* A joining viewer's video queue until it connects: its appsrc holds
   * the packets (the joining keyframe first) while webrtcbin waits for
   * DTLS; Overflowed once a push found it full (its oldest packets,
   * perhaps that keyframe, dropped). The viewer sets Done when connected;
   * from then on nothing is checked. */
  enum JoinQueue : int {
    JOIN_WATCHING = 0,
    JOIN_OVERFLOWED = 1,
    JOIN_DONE = 2,
  };

  FanOut () = default;
  ~FanOut ();
  FanOut (const FanOut &) = delete;
  FanOut &operator= (const FanOut &) = delete;

  /* State-change / request thread, or the loop while the pad's streaming
   * thread waits (input of another kind): the chain of a kind, added to
   * `parent` and set as `ghost`'s target; it encodes raw input, or parses
   * and payloads `encoded` input (server/input.h). Its payloader's SSRC is
   * new after forget_caps, else the one the viewers know. */
  bool build (GstBin *parent, GstPad *ghost, bool video,
              const whepsink::Settings &s, std::string &error,
              bool encoded = false);
  void drop (GstBin *parent, GstPad *ghost, bool video);
  GstElement *chain (bool video) const { return kind (video).bin; }
  /* Whether the chain of a kind takes encoded input (any thread). */
  bool encoded (bool video) const { return kind (video).encoded; }
  /* The caps seen last and the SSRCs are forgotten (READY -> NULL). */
  void forget_caps ();

  /* Loop thread: the appsrcs the packets go to from now on. */
  void publish (OutList video, OutList audio);
  guint ssrc (bool video);
  /* The payloader's caps as a viewer with `pt` (and `plid`) gets them,
   * nullptr before the first packet. */
  GstCaps *caps_for (bool video, int pt, const std::string &plid);
  /* Asks the video encoder for a keyframe now; false without one. */
  bool force_keyframe ();

private:
  struct Kind
  {
    /* state-change / request thread */
    GstElement *bin = nullptr;     /* in the element */
    GstElement *encoder = nullptr; /* a ref: takes keyframe requests */
    std::atomic<bool> encoded{ false };
    /* under lock_ */
    GstCaps *caps = nullptr;
    std::uint64_t caps_gen = 0;
    guint ssrc = 0;
    OutList outs = std::make_shared<std::vector<Out>> ();
  };
  struct SinkCtx
  {
    FanOut *fanout; /* not owned: the appsink lives in the element */
    bool video;
  };

  static GstFlowReturn on_new_sample (GstAppSink *sink, gpointer user_data);
  void push (bool video, GstSample *sample);
  Kind &kind (bool video) { return video ? video_ : audio_; }
  const Kind &kind (bool video) const { return video ? video_ : audio_; }

  std::mutex lock_;
  Kind video_;
  Kind audio_;
};

} // namespace resilient::gst::server
