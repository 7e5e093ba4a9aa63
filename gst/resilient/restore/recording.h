/* gst-resilient: recording of encoded streams into clips (splitmuxsink).
 *
 * A side job of a sink bin: one splitmuxsink in the owner's bin (a clip
 * is cut by size and/or length, named from a printf pattern), fed by one
 * branch per stream (tee src pad -> queue -> parser -> splitmuxsink pad).
 * Its failure (unwritable location, full disk) never reaches the stream it
 * records: each branch's queue has its sink chain function wrapped, so a
 * flow error becomes OK (the buffer is dropped) and is reported once
 * through the `on_failure` callback (any thread); from then on, until
 * close()/open() again, every buffer is dropped. Every element of the
 * recording carries a tag, so that the owner can recognise their messages
 * (owns()) and turn an ERROR into a WARNING.
 *
 * Threads: open/add_stream/close on the owner's control thread; owns(),
 * note_message() and the chain wrappers on any thread.
 */
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace resilient::gst {

struct RecordingConfig
{
  /* splitmuxsink location pattern, e.g. /rec/clip-%05d.mkv. */
  std::string location;
  /* A new clip after this many bytes / milliseconds (0: no limit). */
  std::uint64_t max_size_bytes = 0;
  std::uint64_t max_duration_ms = 0;
  /* The muxer factory (matroskamux, mp4mux, ...). */
  std::string muxer = "matroskamux";
};

/* splitmuxsink-fragment-closed, as the owner reports it. */
struct ClipClosed
{
  std::string location;
  /* 0-based over the recording's life. */
  std::uint64_t index = 0;
  /* The clip's end in running time, ms; -1 unknown. */
  std::int64_t running_time_ms = -1;
};

class Recording
{
public:
  /* First failure of a branch (any thread): file, or "" when unknown. */
  using FailureFn = std::function<void (const std::string &location,
                                        const std::string &why)>;

  Recording () = default;
  Recording (const Recording &) = delete;
  Recording &operator= (const Recording &) = delete;
  ~Recording ();

  void set_on_failure (FailureFn fn) { on_failure_ = std::move (fn); }

  /* Creates the splitmuxsink in `bin` (not started: the caller syncs it
   * with its parent when the bin already runs). The first clip's index
   * continues after the clips opened so far, so a reopened recording
   * never overwrites one. */
  bool open (GstBin *bin, const RecordingConfig &config, std::string &error);
  bool is_open () const { return mux_ != nullptr; }
  GstElement *muxer () const { return mux_; }

  /* Records one stream from `tee` (a new src pad of it); `parser` is the
   * parser factory for the stream's codec, or nullptr. */
  bool add_stream (GstElement *tee, bool video, const char *parser);

  /* Takes every branch and the splitmuxsink down (the clip being written
   * is finalised by splitmuxsink as far as it can). */
  void close ();

  /* Buffers are dropped (a failure was reported, or the owner blocks). */
  bool blocked () const { return blocked_; }
  void set_blocked (bool b) { blocked_ = b; }

  /* A failure outside the branches (an ERROR message of the recording):
   * reported through on_failure once. */
  void trip (const std::string &location, const std::string &why);

  /* Clips opened so far (splitmuxsink-fragment-opened messages seen);
   * reset() starts again from 0. */
  unsigned clips_opened () const { return clips_opened_; }
  std::uint64_t clips_closed () const { return clips_closed_; }
  void reset_counts ();

  /* Counts fragment-opened; returns a closed clip for fragment-closed. */
  std::optional<ClipClosed> note_message (GstMessage *msg);

  /* Whether a message source is an element of a recording (any thread). */
  static bool owns (GstObject *obj);
  /* The file a failing element of the recording writes, if it says. */
  static std::string file_of (GstObject *src);
  /* The directory of a location pattern takes a write again (a disk with
   * room, a writable directory); `why` says what failed otherwise. */
  static bool writable (const std::string &pattern, std::string &why);

private:
  struct Branch
  {
    GstElement *tee = nullptr;
    GstPad *tee_pad = nullptr;
    std::vector<GstElement *> elements;
  };

  static GstFlowReturn chain (GstPad *pad, GstObject *parent, GstBuffer *buf);
  void guard_queue (GstElement *queue, bool video);
  void remove_branch (Branch &b);

  GstBin *bin_ = nullptr;
  GstElement *mux_ = nullptr;
  std::vector<Branch> branches_;
  FailureFn on_failure_;
  std::atomic<bool> blocked_{ false };
  std::atomic<unsigned> clips_opened_{ 0 };
  std::atomic<std::uint64_t> clips_closed_{ 0 };
};

} // namespace resilient::gst
