/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-table"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "traj-table.h"

struct _TrajTable
{
  GPtrArray *names;        /* char* */
  GArray *types;           /* TrajColumnType */
  GPtrArray *rows;         /* GPtrArray of char* (NULL = empty) */
};

gboolean
traj_format_parse (const char *s, TrajFormat *out)
{
  if (g_strcmp0 (s, "text") == 0)
    *out = TRAJ_FORMAT_TEXT;
  else if (g_strcmp0 (s, "csv") == 0)
    *out = TRAJ_FORMAT_CSV;
  else if (g_strcmp0 (s, "json") == 0)
    *out = TRAJ_FORMAT_JSON;
  else
    return FALSE;
  return TRUE;
}

TrajTable *
traj_table_new (void)
{
  TrajTable *t = g_new0 (TrajTable, 1);
  t->names = g_ptr_array_new_with_free_func (g_free);
  t->types = g_array_new (FALSE, FALSE, sizeof (TrajColumnType));
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  return t;
}

void
traj_table_free (TrajTable *t)
{
  if (t == NULL)
    return;
  g_ptr_array_unref (t->names);
  g_array_unref (t->types);
  g_ptr_array_unref (t->rows);
  g_free (t);
}

void
traj_table_add_column (TrajTable *t, const char *name, TrajColumnType type)
{
  g_return_if_fail (t->rows->len == 0);
  g_ptr_array_add (t->names, g_strdup (name));
  g_array_append_val (t->types, type);
}

guint
traj_table_n_rows (TrajTable *t)
{
  return t->rows->len;
}

void
traj_table_add_row (TrajTable *t)
{
  GPtrArray *row = g_ptr_array_new_full (t->names->len, g_free);
  g_ptr_array_set_size (row, (int) t->names->len);
  g_ptr_array_add (t->rows, row);
}

static GPtrArray *
current_row (TrajTable *t)
{
  g_return_val_if_fail (t->rows->len > 0, NULL);
  return g_ptr_array_index (t->rows, t->rows->len - 1);
}

void
traj_table_set (TrajTable *t, guint column, const char *value)
{
  GPtrArray *row = current_row (t);

  g_return_if_fail (row != NULL && column < row->len);
  g_free (g_ptr_array_index (row, column));
  g_ptr_array_index (row, column) = g_strdup (value);
}

void
traj_table_set_int (TrajTable *t, guint column, gint64 value)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  traj_table_set (t, column, buf);
}

void
traj_table_set_number (TrajTable *t, guint column, double value, int decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char fmt[8];
  g_snprintf (fmt, sizeof fmt, "%%.%df", CLAMP (decimals, 0, 9));
  g_ascii_formatd (buf, sizeof buf, fmt, value);
  traj_table_set (t, column, buf);
}

void
traj_table_set_bool (TrajTable *t, guint column, gboolean value)
{
  traj_table_set (t, column, value ? "true" : "false");
}

void
traj_csv_append_field (GString *out, const char *field)
{
  if (field == NULL)
    return;
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

gboolean
traj_csv_text_needs_apostrophe (const char *text)
{
  /* Spreadsheets in East Asian locales take the full-width forms too. */
  static const char * const wide[] = { "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20" };

  if (text == NULL || text[0] == '\0')
    return FALSE;
  if (strchr ("=+-@\t\r'", text[0]) != NULL)
    return TRUE;
  if ((guchar) text[0] != 0xEF)     /* the first byte of every one below */
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (wide); k++)
    if (g_str_has_prefix (text, wide[k]))
      return TRUE;
  return FALSE;
}

void
traj_csv_append_text_field (GString *out, const char *text)
{
  if (traj_csv_text_needs_apostrophe (text))
    {
      g_autofree char *marked = g_strconcat ("'", text, NULL);
      traj_csv_append_field (out, marked);
    }
  else
    traj_csv_append_field (out, text);
}

char *
traj_json_generate (JsonGenerator *gen, gsize *length)
{
  gsize n = 0;
  g_autofree char *raw = json_generator_to_data (gen, &n);
  GString *out = g_string_sized_new (n + 16);

  for (gsize k = 0; k < n; k++)
    {
      guchar c = (guchar) raw[k];

      /* The generator's own whitespace is LF and spaces; a control byte
       * can only be one it failed to escape inside a string. */
      if (c < 0x20 && c != '\n')
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* Text for a terminal: control characters (which a terminal would obey)
 * become U+FFFD. */
static void
append_printable (GString *out, const char *s)
{
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F))
        g_string_append_unichar (out, 0xFFFD);
      else
        g_string_append_unichar (out, c);
    }
}

static char *
to_csv (TrajTable *t)
{
  GString *out = g_string_new (NULL);

  for (guint c = 0; c < t->names->len; c++)
    {
      if (c)
        g_string_append_c (out, ',');
      traj_csv_append_field (out, g_ptr_array_index (t->names, c));
    }
  g_string_append (out, "\r\n");
  for (guint r = 0; r < t->rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (t->rows, r);
      for (guint c = 0; c < row->len; c++)
        {
          if (c)
            g_string_append_c (out, ',');
          /* These tables are opened in spreadsheets: text follows the
           * formula rule; numbers stay numbers. */
          if (g_array_index (t->types, TrajColumnType, c) == TRAJ_COLUMN_STRING)
            traj_csv_append_text_field (out, g_ptr_array_index (row, c));
          else
            traj_csv_append_field (out, g_ptr_array_index (row, c));
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

static char *
to_json (TrajTable *t)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint r = 0; r < t->rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (t->rows, r);
      json_builder_begin_object (b);
      for (guint c = 0; c < row->len; c++)
        {
          const char *v = g_ptr_array_index (row, c);
          TrajColumnType type = g_array_index (t->types, TrajColumnType, c);

          json_builder_set_member_name (b, g_ptr_array_index (t->names, c));
          if (type != TRAJ_COLUMN_STRING && (v == NULL || *v == '\0'))
            json_builder_add_null_value (b);
          else if (type == TRAJ_COLUMN_INT)
            json_builder_add_int_value (b, g_ascii_strtoll (v, NULL, 10));
          else if (type == TRAJ_COLUMN_NUMBER)
            json_builder_add_double_value (b, g_ascii_strtod (v, NULL));
          else if (type == TRAJ_COLUMN_BOOL)
            json_builder_add_boolean_value (b, g_str_equal (v, "true"));
          else
            json_builder_add_string_value (b, v ? v : "");
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  {
    char *s = traj_json_generate (gen, NULL);
    char *with_nl = g_strconcat (s, "\n", NULL);
    g_free (s);
    return with_nl;
  }
}

static char *
to_text (TrajTable *t)
{
  GString *out = g_string_new (NULL);
  g_autofree guint *width = g_new0 (guint, t->names->len);

  for (guint c = 0; c < t->names->len; c++)
    width[c] = (guint) g_utf8_strlen (g_ptr_array_index (t->names, c), -1);
  for (guint r = 0; r < t->rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (t->rows, r);
      for (guint c = 0; c < row->len; c++)
        {
          const char *v = g_ptr_array_index (row, c);
          width[c] = MAX (width[c], v ? (guint) g_utf8_strlen (v, -1) : 1);
        }
    }
  for (guint r = 0; r <= t->rows->len; r++)
    {
      GPtrArray *row = r == 0 ? NULL : g_ptr_array_index (t->rows, r - 1);
      for (guint c = 0; c < t->names->len; c++)
        {
          const char *v = row ? g_ptr_array_index (row, c) : g_ptr_array_index (t->names, c);
          guint len;
          if (v == NULL || *v == '\0')
            v = "—";
          len = (guint) g_utf8_strlen (v, -1);
          append_printable (out, v);
          if (c + 1 < t->names->len)
            for (guint k = len; k < width[c] + 2; k++)
              g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

char *
traj_table_to_string (TrajTable *t, TrajFormat format)
{
  switch (format)
    {
    case TRAJ_FORMAT_CSV:
      return to_csv (t);
    case TRAJ_FORMAT_JSON:
      return to_json (t);
    case TRAJ_FORMAT_TEXT:
    default:
      return to_text (t);
    }
}
