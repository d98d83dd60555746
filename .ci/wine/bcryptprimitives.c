/* Test harness only, never shipped: Rust's standard library (1.78+) takes
 * its random numbers from ProcessPrng in bcryptprimitives.dll, which every
 * Windows 10/11 has but Debian 12's Wine 8.0 lacks. .ci/windows-smoke puts
 * this stand-in beside apx.exe under wine; it fills the buffer from
 * RtlGenRandom (advapi32), the system's CSPRNG in Wine as in Windows. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
