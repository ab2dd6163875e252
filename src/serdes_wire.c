/*
 * serdes_wire.c: Confluent's framing of a serialized key or value.
 *
 * The classic form is a 5-byte prefix, 0x00 and the schema id big-endian.
 * Newer Confluent clients may instead name the schema by a 16-byte GUID,
 * either in a record header (__key_schema_id / __value_schema_id: 0x01 +
 * GUID, the payload then being only the Avro body) or as a 0x01 + GUID
 * prefix. This module only splits bytes; it never trusts a length.
 */
#include "serdes_internal.h"

#include <stdio.h>
#include <string.h>

void kafkit_wire_hex(const void *data, size_t len, char *out, size_t size)
{
        const unsigned char *p = data;
        size_t i, n = len < 8 ? len : 8, o = 0;

        if (!size)
                return;
        out[0] = '\0';
        for (i = 0; i < n && o + 4 < size; i++)
                o += (size_t)snprintf(out + o, size - o, i ? " %02x" : "%02x", p[i]);
        if (len > n && o + 4 < size)
                snprintf(out + o, size - o, " ...");
}

void kafkit_wire_guid_text(const unsigned char guid[16], char text[37])
{
        static const char hex[] = "0123456789abcdef";
        size_t i, o = 0;

        for (i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        text[o++] = '-';
                text[o++] = hex[guid[i] >> 4];
                text[o++] = hex[guid[i] & 15];
        }
        text[o] = '\0';
}

static int kafkit_hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int kafkit_wire_guid_parse(const char *text, unsigned char guid[16])
{
        size_t i, k = 0;

        if (strlen(text) != 36)
                return -1;
        for (i = 0; i < 36; i++) {
                int hi, lo;

                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (text[i] != '-')
                                return -1;
                        continue;
                }
                hi = kafkit_hexval(text[i]);
                lo = kafkit_hexval(text[++i]);
                if (hi < 0 || lo < 0 || i == 8 || i == 13 || i == 18 || i == 23)
                        return -1;
                guid[k++] = (unsigned char)(hi << 4 | lo);
        }
        return k == 16 ? 0 : -1;
}

kafkit_err_t kafkit_wire_put_id(kafkit_buf_t *out, int32_t id)
{
        uint32_t u = (uint32_t)id;
        unsigned char b[KAFKIT_WIRE_ID_SIZE] = {
                KAFKIT_WIRE_MAGIC_ID, (unsigned char)(u >> 24), (unsigned char)(u >> 16),
                (unsigned char)(u >> 8), (unsigned char)u
        };

        return kafkit_buf_append(out, b, sizeof(b));
}

/*
 * Reads a schema id or GUID from the start of p (n bytes); *used gets its
 * size. `where` names the bytes in errors ("payload", "header ...").
 */
static kafkit_err_t kafkit_wire_read_id(const unsigned char *p, size_t n, const char *where,
                                        kafkit_wire_t *w, size_t *used, kafkit_error_t *err)
{
        char hex[40];

        if (n == 0)
                return kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                                      "%s is empty: expected Confluent's magic byte 0x00 "
                                      "or 0x01 and a schema id", where);
        kafkit_wire_hex(p, n, hex, sizeof(hex));
        if (p[0] == KAFKIT_WIRE_MAGIC_ID) {
                if (n < KAFKIT_WIRE_ID_SIZE)
                        return kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                                              "%s too short for magic byte 0x00 and a 4-byte "
                                              "schema id: %zu bytes (%s)", where, n, hex);
                w->has_guid = 0;
                w->id = (int32_t)((uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
                                  (uint32_t)p[3] << 8 | p[4]);
                *used = KAFKIT_WIRE_ID_SIZE;
                return KAFKIT_OK;
        }
        if (p[0] == KAFKIT_WIRE_MAGIC_GUID) {
                if (n < KAFKIT_WIRE_GUID_SIZE)
                        return kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                                              "%s too short for magic byte 0x01 and a 16-byte "
                                              "schema GUID: %zu bytes (%s)", where, n, hex);
                w->has_guid = 1;
                w->id = -1;
                memcpy(w->guid, p + 1, 16);
                *used = KAFKIT_WIRE_GUID_SIZE;
                return KAFKIT_OK;
        }
        return kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                              "%s does not start with Confluent's magic byte 0x00 or 0x01: "
                              "first bytes %s (not Schema Registry framed data?)", where, hex);
}

/* The last header named `name`, or NULL. */
static const kafkit_header_t *kafkit_wire_header(const kafkit_header_t *headers, size_t cnt,
                                                 const char *name)
{
        size_t i;

        for (i = cnt; headers && i-- > 0;)
                if (headers[i].name && !strcmp(headers[i].name, name))
                        return &headers[i];
        return NULL;
}

kafkit_err_t kafkit_wire_parse(const void *data,
                               size_t len,
                               const kafkit_header_t *headers,
                               size_t header_cnt,
                               const char *header_name,
                               kafkit_wire_t *w,
                               kafkit_error_t *err)
{
        const kafkit_header_t *h = kafkit_wire_header(headers, header_cnt, header_name);
        char where[96];
        size_t used;
        kafkit_err_t code;

        memset(w, 0, sizeof(*w));
        if (h) {
                snprintf(where, sizeof(where), "header %s", header_name);
                code = kafkit_wire_read_id(h->value, h->value ? h->value_len : 0, where, w,
                                           &used, err);
                if (code == KAFKIT_OK && used != h->value_len)
                        code = kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                                              "%s has %zu bytes, expected %zu", where,
                                              h->value_len, used);
                w->header = header_name;
                w->body = data;
                w->body_len = len;
                return code;
        }
        code = kafkit_wire_read_id(data, len, "payload", w, &used, err);
        if (code != KAFKIT_OK)
                return code;
        w->body = (const unsigned char *)data + used;
        w->body_len = len - used;
        w->body_off = used;
        return KAFKIT_OK;
}
