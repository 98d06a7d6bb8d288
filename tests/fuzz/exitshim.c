/* exitshim.c - end a sanitized slapd without the libraries' destructors
 *
 * Preloaded next to the ASan runtime by tests/fuzz/asan-slapd.  With the
 * runtime preloaded, Debian's slapd hangs in exit(): p11-kit's destructor
 * (pulled in by GnuTLS) calls freelocale(), which waits forever for
 * glibc's locale lock.  slapd has shut down its backends, closed LMDB and
 * flushed its logs by the time main() returns, so nothing of the server is
 * lost by leaving right then: this shim wraps main() (through
 * __libc_start_main, as LD_PRELOAD tools do) and registers an on_exit()
 * handler after the dynamic linker's, so it runs first and ends the
 * process with the same status by _exit() after flushing stdio.  A fuzz
 * target's libFuzzer run ends through exit() as well and needs the same.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef int (*main_fn)( int, char **, char ** );
typedef int (*start_fn)( main_fn, int, char **, void (*)( void ),
	void (*)( void ), void (*)( void ), void * );

static main_fn real_main;

static void
leave( int status, void *arg )
{
	(void)arg;
	fflush( NULL );
	_exit( status );
}

static int
shim_main( int argc, char **argv, char **envp )
{
	on_exit( leave, NULL );
	return real_main( argc, argv, envp );
}

int
__libc_start_main( main_fn main, int argc, char **argv, void (*init)( void ),
	void (*fini)( void ), void (*rtld_fini)( void ), void *stack_end )
{
	start_fn real = (start_fn)dlsym( RTLD_NEXT, "__libc_start_main" );

	real_main = main;
	return real( shim_main, argc, argv, init, fini, rtld_fini, stack_end );
}
