/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Short secrets: the staff PIN and tablet check-in codes.
 *
 * Every check has the same shape, on purpose:
 *
 *   1. the client (the kiosk, a workstation) reads a salt that is not
 *      secret (traj_store_get_staff_pin_salt (), the clinic's check-in
 *      salt) and computes ONE Argon2id hash of what was typed with it
 *      (traj_secret_derive (), libsodium crypto_pwhash);
 *   2. the store compares that hash with the stored one (sodium_memcmp, or
 *      an equality lookup for check-in codes) and counts the attempt
 *      against a clinic-wide limit, in one transaction.
 *
 * So nothing secret ever has to be read by the client: on a clinic server
 * step 2 is a function the tablet's login may call (PostgreSQL: SECURITY
 * DEFINER) while it can read no stored hash; and a check-in costs one Argon2id
 * computation however many codes are open, because check-in codes share one
 * clinic-wide salt and their hashes are looked up by equality (a code is
 * short-lived and single-use; with the optional second factor, the birth
 * date, the hashed secret is not a 6-digit number at all).
 *
 * A salt string carries its own cost: "argon2id$t=2$m=32768$<32 hex digits>"
 * (t: passes, m: memory in KiB), so the cost can be raised later without
 * losing existing hashes. */

/* The cost of new salts: one hash takes under 0.3 s on a clinic tablet
 * (measured with `meson test --benchmark secret`). */
#define TRAJ_SECRET_PASSES      2
#define TRAJ_SECRET_MEMORY_KIB  (32 * 1024)

/* A fresh random salt string with the current cost. */
char     *traj_secret_new_salt      (void);
/* Argon2id of @secret with @salt, as 64 hex digits; NULL with an error when
 * @salt is malformed or the hash cannot be computed (out of memory). */
char     *traj_secret_derive        (const char  *secret,
                                     const char  *salt,
                                     GError     **error);
/* How many hashes this process has derived so far (for tests and
 * benchmarks: one per check, however many codes are open). */
guint     traj_secret_n_derived     (void);
/* Whether two hashes (hex) are equal, in constant time (sodium_memcmp).
 * Malformed or different-length input is never equal. */
gboolean  traj_secret_equal         (const char  *hash_a,
                                     const char  *hash_b);
/* A uniformly random number below @upper (libsodium's generator). */
guint32   traj_secret_random_below  (guint32      upper);
/* 32 random bits. */
guint32   traj_secret_random        (void);

/* The staff PIN's rules: 6 to 12 digits, and not trivial (one digit
 * repeated, a run up or down like 123456 or 987654, or the first half
 * repeated like 121212 or 123123). FALSE with a message that says which. */
gboolean  traj_secret_check_new_pin (const char  *pin,
                                     GError     **error);

/* Writes zeros over @s (a PIN or code just typed) and frees it. */
void      traj_secret_free          (char        *s);

/* g_auto (TrajSecretString): a string that is wiped when it goes. */
typedef char *TrajSecretString;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (TrajSecretString, traj_secret_free, NULL)

G_END_DECLS
