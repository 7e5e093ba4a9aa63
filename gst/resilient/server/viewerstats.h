/* gst-resilient server side: reswhepserversink's statistics: totals, and
 * a snapshot of the viewer list the loop refreshes on every change and
 * reaper pass, read by the `statistics` property from any thread.
 *
 * Its lock is a leaf: nothing is called out while holding it. */
#pragma once

#include "server/viewer.h"

#include <gst/gst.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace resilient::gst::server {

class ViewerStats
{
public:
  ViewerStats () = default;
  ~ViewerStats ();
  ViewerStats (const ViewerStats &) = delete;
  ViewerStats &operator= (const ViewerStats &) = delete;

  void joined ();
  void keyframe_asked ();
  /* Loop thread: the viewer list as it is now. */
  void update (const std::map<std::string, std::unique_ptr<Viewer>> &viewers,
               resilient::TimePoint now);
  /* Any thread: the `statistics` structure. */
  GstStructure *structure (guint64 requests_refused, int bound_port);

private:
  std::mutex lock_;
  std::uint64_t viewers_total_ = 0;
  std::uint64_t keyframes_ = 0;
  GstStructure *list_ = nullptr; /* holds "viewer-list" */
  guint count_ = 0;
};

} // namespace resilient::gst::server
