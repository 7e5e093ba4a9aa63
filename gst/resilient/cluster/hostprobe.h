/* gst-resilient: clusterresolver's reachability probe of one host URL. */
#pragma once

#include <glib.h>

#include <string>

namespace resilient::gst {

/* Returns true when the URL was probed and answered, false with `reason`
 * when it failed; `skipped` is set (and true returned) when the scheme
 * cannot be probed over TCP (srt, udp, rist, file, ...). Blocks the calling
 * thread at most `timeout_ms` (plus name resolution): call it from an
 * application thread, never a streaming thread. rtmp:// also gets the first
 * step of the RTMP handshake, so a server that is stopped but still accepts
 * TCP counts as failed. */
bool probe_host_url (const std::string &url, guint timeout_ms,
                     std::string &reason, bool &skipped);

} // namespace resilient::gst
