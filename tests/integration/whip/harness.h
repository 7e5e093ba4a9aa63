/* Shared helpers of the WHIP / WHEP integration tests: a pipeline run on a
 * bus watch thread, element messages collected, frames counted. */
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace whiptest {

/* Registers reswhipsink and reswhepsrc from the test binary. */
void register_elements ();

class Pipeline
{
public:
  explicit Pipeline (const std::string &description);
  explicit Pipeline (GstElement *pipeline);
  ~Pipeline ();

  GstElement *get () const { return pipeline_; }
  GstElement *by_name (const char *name) const;
  GstStateChangeReturn play ();
  void stop ();

  /* Element messages and errors seen so far (structure names, "error: ..."). */
  std::vector<std::string> messages () const;
  bool has_message (const std::string &name) const;
  /* A copy of the first element message named `name`, or null. */
  GstStructure *message (const std::string &name) const;
  std::string errors () const;

  bool wait_for (const std::function<bool ()> &pred,
      std::chrono::milliseconds timeout) const;

private:
  static GstBusSyncReply on_message (GstBus *, GstMessage *, gpointer);
  GstElement *pipeline_ = nullptr;
  mutable std::mutex lock_;
  std::vector<std::string> messages_;
  std::vector<GstStructure *> structures_;
  std::string errors_;
};

/* Counts buffers reaching a fakesink linked to each new pad of `src` whose
 * name starts with `prefix`. */
class PadCounter
{
public:
  PadCounter (GstElement *bin, GstElement *src, const std::string &prefix);
  std::uint64_t count () const { return count_.load (); }
  std::string caps () const;

private:
  static void on_pad (GstElement *, GstPad *, gpointer);
  static GstPadProbeReturn probe (GstPad *, GstPadProbeInfo *, gpointer);
  GstElement *bin_;
  std::string prefix_;
  std::atomic<std::uint64_t> count_ { 0 };
  mutable std::mutex lock_;
  std::string caps_;
};

}  // namespace whiptest
