/* gst-resilient: the cluster failure memory on disk.
 *
 * One line per remembered failure, tab separated, after a version line:
 *
 *   # gst-resilient cluster failure memory v1
 *   <expires-at-ms>\t<failed-at-ms>\t<reason>\t<host-url>
 *
 * Times are milliseconds since the Unix epoch (the memory runs on wall-clock
 * time precisely so that it means something after a restart). The reason
 * has tabs and line breaks replaced by spaces; a host holding whitespace
 * or a control character is malformed (never written, skipped on load). The file is written to a
 * temporary name in the same directory and renamed over the old one, so a
 * reader (or a crash) never sees half a file. Unknown versions, malformed
 * lines and expired entries are skipped on load.
 */
#pragma once

#include "resilient/cluster/resolver.h"

#include <string>

namespace resilient::cluster {

std::string serialise_memory (const FailureMemory &memory);
/* Loads the records of `text` into `memory`; records expired at `now` are
 * skipped. Returns how many records were loaded. */
size_t parse_memory (const std::string &text, TimePoint now,
                     FailureMemory &memory);

/* Atomic write (temporary file + fsync + rename). Returns false and sets
 * `error` on failure. */
bool write_file_atomically (const std::string &path, const std::string &text,
                            std::string &error);
/* Whole-file read; false when absent or unreadable. */
bool read_file (const std::string &path, std::string &text);

} // namespace resilient::cluster
