/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Argon2id hashing of short secrets (libsodium); see traj-secret.h for why
 * every check is "derive here, compare and count in the store". */
#define G_LOG_DOMAIN "traj-secret"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "traj-error.h"
#include "traj-secret.h"

#define SALT_BYTES crypto_pwhash_SALTBYTES     /* 16 */
#define HASH_BYTES 32

static guint n_derived;

static void
ensure_sodium (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* Without its random source libsodium cannot work at all. */
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised");
      g_once_init_leave (&done, 1);
    }
}

guint32
traj_secret_random (void)
{
  ensure_sodium ();
  return randombytes_random ();
}

guint32
traj_secret_random_below (guint32 upper)
{
  ensure_sodium ();
  return upper ? randombytes_uniform (upper) : 0;
}

char *
traj_secret_new_salt (void)
{
  guint8 salt[SALT_BYTES];
  char hex[SALT_BYTES * 2 + 1];

  ensure_sodium ();
  randombytes_buf (salt, sizeof salt);
  sodium_bin2hex (hex, sizeof hex, salt, sizeof salt);
  return g_strdup_printf ("argon2id$t=%u$m=%u$%s", TRAJ_SECRET_PASSES, TRAJ_SECRET_MEMORY_KIB, hex);
}

/* "argon2id$t=T$m=M$HEX" → its parts; FALSE when malformed or out of the
 * range libsodium accepts. */
static gboolean
parse_salt (const char *salt, guint64 *passes, guint64 *memory_kib, guint8 bytes[SALT_BYTES])
{
  g_auto(GStrv) parts = NULL;
  gsize n = 0;
  char *end = NULL;

  if (salt == NULL)
    return FALSE;
  parts = g_strsplit (salt, "$", -1);
  if (g_strv_length (parts) != 4 || !g_str_equal (parts[0], "argon2id") ||
      !g_str_has_prefix (parts[1], "t=") || !g_str_has_prefix (parts[2], "m="))
    return FALSE;
  *passes = g_ascii_strtoull (parts[1] + 2, &end, 10);
  if (*end != '\0' || *passes < crypto_pwhash_OPSLIMIT_MIN || *passes > 64)
    return FALSE;
  *memory_kib = g_ascii_strtoull (parts[2] + 2, &end, 10);
  if (*end != '\0' || *memory_kib * 1024 < crypto_pwhash_MEMLIMIT_MIN || *memory_kib > 4 * 1024 * 1024)
    return FALSE;
  if (strlen (parts[3]) != SALT_BYTES * 2 ||
      sodium_hex2bin (bytes, SALT_BYTES, parts[3], strlen (parts[3]), NULL, &n, NULL) != 0 || n != SALT_BYTES)
    return FALSE;
  return TRUE;
}

char *
traj_secret_derive (const char  *secret,
                    const char  *salt,
                    GError     **error)
{
  guint8 bytes[SALT_BYTES], out[HASH_BYTES];
  char hex[HASH_BYTES * 2 + 1];
  guint64 passes = 0, memory_kib = 0;

  g_return_val_if_fail (secret != NULL, NULL);
  ensure_sodium ();

  if (!parse_salt (salt, &passes, &memory_kib, bytes))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT,
                           _("The clinic’s stored salt for secrets is damaged."));
      return NULL;
    }
  g_atomic_int_inc (&n_derived);
  if (crypto_pwhash (out, sizeof out, secret, strlen (secret), bytes, passes, (size_t) memory_kib * 1024,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                           _("Not enough memory to check the code. Close other programs and try again."));
      return NULL;
    }
  sodium_bin2hex (hex, sizeof hex, out, sizeof out);
  sodium_memzero (out, sizeof out);
  return g_strdup (hex);
}

guint
traj_secret_n_derived (void)
{
  return (guint) g_atomic_int_get (&n_derived);
}

gboolean
traj_secret_equal (const char *hash_a,
                   const char *hash_b)
{
  guint8 a[HASH_BYTES], b[HASH_BYTES];
  gsize na = 0, nb = 0;

  ensure_sodium ();
  if (hash_a == NULL || hash_b == NULL ||
      strlen (hash_a) != HASH_BYTES * 2 || strlen (hash_b) != HASH_BYTES * 2 ||
      sodium_hex2bin (a, sizeof a, hash_a, HASH_BYTES * 2, NULL, &na, NULL) != 0 ||
      sodium_hex2bin (b, sizeof b, hash_b, HASH_BYTES * 2, NULL, &nb, NULL) != 0 ||
      na != HASH_BYTES || nb != HASH_BYTES)
    return FALSE;
  return sodium_memcmp (a, b, HASH_BYTES) == 0;
}

gboolean
traj_secret_check_new_pin (const char  *pin,
                           GError     **error)
{
  gsize n = pin ? strlen (pin) : 0;
  gboolean same = TRUE, up = TRUE, down = TRUE, period = FALSE;

  for (gsize k = 0; k < n; k++)
    if (!g_ascii_isdigit (pin[k]))
      {
        g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The PIN can hold digits only."));
        return FALSE;
      }
  if (n < 6 || n > 12)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The PIN needs 6 to 12 digits."));
      return FALSE;
    }
  for (gsize k = 1; k < n; k++)
    {
      int d = pin[k] - pin[k - 1];
      same &= d == 0;
      up &= d == 1 || d == -9;
      down &= d == -1 || d == 9;
    }
  /* 121212, 123123, 10011001: the whole PIN is a shorter block repeated. */
  for (gsize p = 1; p <= n / 2 && !period; p++)
    if (n % p == 0)
      {
        gboolean repeats = TRUE;
        for (gsize k = p; k < n && repeats; k++)
          repeats = pin[k] == pin[k - p];
        period = repeats;
      }
  if (same || up || down || period)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("That PIN is too easy to guess (a digit repeated, a run like 123456, or a pattern "
                             "like 121212). Choose digits without a pattern."));
      return FALSE;
    }
  return TRUE;
}

void
traj_secret_free (char *s)
{
  if (s == NULL)
    return;
  sodium_memzero (s, strlen (s));
  g_free (s);
}
