/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A small table of named columns for listing commands: written as aligned
 * text for people (header line first), RFC 4180 CSV, or a JSON array of
 * objects whose keys are the column names. */
typedef enum {
  TRAJ_FORMAT_TEXT,
  TRAJ_FORMAT_CSV,
  TRAJ_FORMAT_JSON,
} TrajFormat;

typedef enum {
  TRAJ_COLUMN_STRING,
  TRAJ_COLUMN_INT,      /* empty cell = null */
  TRAJ_COLUMN_NUMBER,   /* empty cell = null */
  TRAJ_COLUMN_BOOL,
} TrajColumnType;

typedef struct _TrajTable TrajTable;

gboolean   traj_format_parse     (const char *s, TrajFormat *out);

TrajTable *traj_table_new        (void);
void       traj_table_free       (TrajTable *t);
void       traj_table_add_column (TrajTable *t, const char *name, TrajColumnType type);
guint      traj_table_n_rows     (TrajTable *t);
/* Starts a row; then set cells by column index (missing cells are empty). */
void       traj_table_add_row    (TrajTable *t);
void       traj_table_set        (TrajTable *t, guint column, const char *value);
void       traj_table_set_int    (TrajTable *t, guint column, gint64 value);
void       traj_table_set_number (TrajTable *t, guint column, double value, int decimals);
void       traj_table_set_bool   (TrajTable *t, guint column, gboolean value);
char      *traj_table_to_string  (TrajTable *t, TrajFormat format);

/* One CSV field, quoted when it holds a comma, quote, CR or LF. */
void       traj_csv_append_field (GString *out, const char *field);

/* Spreadsheets run a cell that starts with "=", "+", "-", "@", TAB or CR as
 * a formula (CWE-1236, "CSV injection"), and in East Asian locales with
 * their full-width forms "＝", "＋", "－", "＠" (U+FF1D, U+FF0B, U+FF0D,
 * U+FF20). Text that starts with one of them — or with an apostrophe, so
 * that the rule can be undone — is written with one apostrophe before it,
 * which spreadsheets show as text. Reading it back, a leading apostrophe
 * followed by one of those eleven characters is
 * dropped (a lone "'" or "'abc" stays as it is). Numbers are never text:
 * "-3.5" in a numeric column stays as it is. */
gboolean   traj_csv_text_needs_apostrophe (const char *text);
/* traj_csv_append_field () of @text under the rule above. */
void       traj_csv_append_text_field     (GString *out, const char *text);

/* json-glib's generator of Debian 12 (1.6) leaves U+001F unescaped, which
 * makes the document invalid: its text with every raw control byte other
 * than the generator's own line breaks written as \u00XX. */
char      *traj_json_generate    (JsonGenerator *gen, gsize *length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajTable, traj_table_free)

G_END_DECLS
