/* A live raw-video source for tests, reached through uridecodebin by URI:
 *   failtest://ok          frames forever
 *   failtest://stall?after=N         N frames, then silence (no error, no EOS)
 *   failtest://error?after=N&code=read|notfound|unauthorized
 *                                    N frames, then an ERROR of that kind
 *   failtest://errorfirst?after=N&fail=K
 *                                    the first K starts fail like error,
 *                                    later ones play forever
 *   failtest://black?after=N[&for=M][&fail=K]
 *                                    frames forever; from frame N on (for
 *                                    M frames, default for good) black, in
 *                                    the first K starts (default 1)
 *   failtest://freeze?after=N[&for=M] the same with one repeated frame
 *                                    (live frames alternate luma 200/202)
 *   failtest://lag?after=N&lag=MS    frames forever, but at frame N it falls
 *                                    MS behind its own timestamps for good
 *   failtestenc://<any of the above>  the same, H.264 (x264enc, 1 s GOP),
 *                                    so that a parser and decoder are plugged
 * Starts are counted per URI, process-wide (failtest_starts). */
#pragma once

#include <gst/gst.h>

#include <string>

void failtest_register ();
int failtest_starts (const std::string &uri);
