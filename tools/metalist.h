/*
 * metalist.h: a cluster's metadata (brokers, topics, partitions) printed
 * on stdout as `kcat -L` lays it out, as text or as one line of JSON: for
 * `kafkit list` and kcat mode -L.
 */
#ifndef KAFKIT_METALIST_H
#define KAFKIT_METALIST_H

#include <kafkit/kafkit.h>

/*
 * `topic` is the one asked for, or NULL for all. With `kcat` set the
 * listing has kcat's extras: the controller marked among the brokers
 * (text " (controller)", JSON "controllerid") and " (try again)" after a
 * topic whose leader is not available. The JSON ends without a newline.
 * Write errors show in ferror(stdout).
 */
void metalist_text(const kafkit_metadata_t *md, const char *topic, int kcat);
void metalist_json(const kafkit_metadata_t *md, const char *topic, int kcat);

#endif /* KAFKIT_METALIST_H */
