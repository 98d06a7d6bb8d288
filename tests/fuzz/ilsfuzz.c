/* ilsfuzz.c - libFuzzer inside the real slapd, for the parts of back-ils
 * that need slapd's structures
 *
 * slapd is not a library: its filter parser, schema, attribute
 * descriptions, entries and memory contexts only exist in a running
 * slapd that has read its configuration.  Rebuilding slapd's objects from
 * the source tree would test another slapd than the one the modules load
 * into; a stub of its API would test nothing.  So this module is back-ils
 * itself (every source file, compiled with the sanitizers and libFuzzer's
 * coverage) plus a harness, and is loaded by Debian's /usr/sbin/slapd, with
 * the ASan runtime preloaded, in place of back_ils.la:
 *
 *	moduleload ilsfuzz.so TARGET [libFuzzer options and corpus dirs]
 *	database ils ...		(the default ILS configuration)
 *	database ilsfuzz
 *	suffix "cn=ilsfuzz"
 *
 * The ilsfuzz database is opened after the ils one (slapd opens them in
 * order), when the schema, back-ils' compatibility hooks and its database
 * are all set up; its db_open runs libFuzzer (LLVMFuzzerRunDriver) on the
 * target, in slapd's main thread, and libFuzzer ends the process when it
 * is done (exit 0) or has found something (a report, an artifact and a
 * non-zero exit).  slapd never gets to listen.  tests/fuzz/run-slapd
 * writes that configuration; doc/fuzzing.md tells how to use it.
 *
 * Targets (the first byte of an input often picks a variant):
 *   filter  a search filter as a string (str2filter_x) or as BER
 *           (get_filter), rewritten by ils_filter_rewrite() as a search
 *           does, printed back (filter2bv_x), tested against sample
 *           registrations (test_filter) and freed (ils_filter_free)
 *   record  an LMDB record: ils_record_decode(), and for a record that
 *           decodes, ils_record_encode() of the entry must decode again
 *           and ils_record_patch() with the TTL overlay's keep-alive
 *           replaces must give a record that decodes with the new values
 *   dn      a request DN as slapd normalises it (dnPrettyNormal) and then
 *           ils_parse_dn(), as every operation does
 *   selftest  reads freed memory when the input starts "UAF": proof that
 *           a finding gets reported from inside slapd
 *
 * The harness's Operation allocates its temporary memory with malloc
 * (o_tmpmemctx NULL, ch_mfuncs) instead of a slab: slapd's slab allocator
 * is invisible to ASan, and a block freed twice or used after its free
 * inside the slab goes unnoticed, which is exactly how the filter
 * rewrite's use-after-free (F1 in doc/fuzzing.md) stayed silent in a plain
 * slapd.
 */

/* back-ils' own init_module registers "database ils"; this module's
 * init_module calls it and registers "database ilsfuzz" too */
#define init_module ils_init_module
#include "../../back-ils/init.c"
/* record.c's length reader, for known_record() */
#include "../../back-ils/record.c"
#undef init_module

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerRunDriver( int *argc, char ***argv,
	int (*cb)( const uint8_t *data, size_t size ) );
int init_module( int argc, char *argv[] );

static char *fuzz_target;
static int fuzz_argc;
static char **fuzz_argv;

static OperationBuffer fuzz_opbuf;
static Connection fuzz_conn;
static Operation *fuzz_op;

/* registrations as back-ils stores them, for test_filter(): NetMeeting's
 * (MS-TAIL T1), the Dialer's conference, and a GnomeMeeting user */
static const char *const fuzz_ldif[] = {
	"dn: cn=egruber@contoso.com,ou=Dynamic,o=Intranet\n"
	"objectClass: top\nobjectClass: rtPerson\n"
	"cn: egruber@contoso.com\ngivenName: Eric\nsn: Gruber\n"
	"mail: egruber@contoso.com\nlocation: Seattle\ncomment: Participant\n"
	"c: -\nipAddress: 3758139584\nsFlags: 1\nsSecurity: 21912384\n"
	"ilsA26214430: 0\nilsA26279966: 84020942\nilsA32833566: 1\n"
	"ilsA32964638: 1\nilsA39321630: 2\napplicationID: ms-netmeeting\n"
	"protocolID: h323\nentryTtl: 600\n",
	"dn: uid=Demo Conference,ou=Dynamic,o=Intranet\n"
	"objectClass: top\nobjectClass: rtConference\nuid: Demo Conference\n"
	"protocolMimeType: h323\nentryTtl: 900\n",
	"dn: cn=gm@example.org,ou=Dynamic,o=Intranet\n"
	"objectClass: top\nobjectClass: rtPerson\ncn: gm@example.org\n"
	"givenName: G\\C3\\BCnther\nsn: M\n"
	"applicationID: GnomeMeeting\nprotocolID: h323\nsFlags: 0\n",
	NULL
};
#define FUZZ_NENTRIES 3
static Entry *fuzz_entries[FUZZ_NENTRIES];

/* ---- what every decoded entry must be ---- */

/* slapd (attr_valfind, test_filter, entry_encode) indexes a_vals and
 * a_nvals by a_numvals: every decoded attribute must have that many of
 * each (finding F3, doc/fuzzing.md) */
static int
entry_consistent( Entry *e )
{
	Attribute *a;
	unsigned i;

	for ( a = e->e_attrs; a; a = a->a_next ) {
		for ( i = 0; !BER_BVISNULL( &a->a_vals[i] ); i++ )
			;
		if ( i != a->a_numvals )
			return 0;
		for ( i = 0; !BER_BVISNULL( &a->a_nvals[i] ); i++ )
			;
		if ( i != a->a_numvals )
			return 0;
	}
	return 1;
}

/* ---- filter ---- */

static int
fuzz_filter( const uint8_t *data, size_t size )
{
	Operation *op = fuzz_op;
	Filter *f = NULL, *rw;
	struct berval bv;
	char *ber_buf = NULL;
	int i;

	if ( size < 1 )
		return 0;
	if ( data[0] & 1 ) {
		/* a filter element as a client's SearchRequest carries it */
		BerElementBuffer berbuf;
		BerElement *ber = (BerElement *)&berbuf;
		const char *text;

		/* slapd decodes in its own buffer, and in place */
		bv.bv_len = size - 1;
		bv.bv_val = malloc( bv.bv_len + 1 );
		memcpy( bv.bv_val, data + 1, bv.bv_len );
		ber_init2( ber, &bv, 0 );
		if ( get_filter( op, ber, &f, &text ) != LDAP_SUCCESS )
			f = NULL;
		ber_buf = bv.bv_val;
	} else {
		char *s = malloc( size );

		memcpy( s, data + 1, size - 1 );
		s[size - 1] = '\0';
		f = str2filter_x( op, s );
		free( s );
	}
	if ( f == NULL )
		goto done;
	rw = ils_filter_rewrite( op, f );
	filter2bv_x( op, rw, &bv );
	op->o_tmpfree( bv.bv_val, op->o_tmpmemctx );
	for ( i = 0; i < FUZZ_NENTRIES; i++ )
		if ( fuzz_entries[i] )
			(void)test_filter( op, fuzz_entries[i], rw );
	ils_filter_free( op, rw );
	filter_free_x( op, f, 1 );
done:
	/* the filter may point into the BER buffer until it is freed */
	free( ber_buf );
	return 0;
}

/* ---- record ---- */

static AttributeDescription *fuzz_ad_expire;

/* a record that decodes must survive what back-ils does with records */
static int
fuzz_record( const uint8_t *data, size_t size )
{
	static const char kinds[] = { ILS_KEY_PERSON, ILS_KEY_CONF, ILS_KEY_APPUSER, 'x' };
	struct berval key, rec, enc, patched, vals[2][2], ttl = BER_BVC( "900" );
	struct berval expire = BER_BVC( "20260101000000Z" );
	Modifications mods[2], *ml = NULL;
	char keybuf[64], *buf = NULL;
	Entry *e = NULL, *e2 = NULL;
	Attribute *a;
	size_t klen;

	if ( size < 1 )
		return 0;
	/* the first byte: the key's kind (2 bits) and length (6) */
	klen = data[0] >> 2;
	if ( klen > size - 1 )
		klen = size - 1;
	keybuf[0] = kinds[data[0] & 3];
	memcpy( keybuf + 1, data + 1, klen );
	key.bv_val = keybuf;
	key.bv_len = klen + 1;
	rec.bv_len = size - 1 - klen;
	/* a buffer of its own, exactly the record's size */
	rec.bv_val = malloc( rec.bv_len ? rec.bv_len : 1 );
	memcpy( rec.bv_val, data + 1 + klen, rec.bv_len );
	if ( ils_record_decode( &key, &rec, &e ) != LDAP_SUCCESS )
		goto patch;
	if ( !entry_consistent( e ) )
		abort();
	/* what back-ils writes for the entry reads back */
	if ( ils_record_encode( &key, e, &enc ) != LDAP_SUCCESS )
		abort();
	if ( ils_record_decode( &key, &enc, &e2 ) != LDAP_SUCCESS )
		abort();
	ils_record_free( e2 );
	e2 = NULL;
	ch_free( enc.bv_val );

patch:
	/* the TTL overlay's keep-alive: entryTtl and dynttlExpireTime */
	memset( mods, 0, sizeof( mods ) );
	vals[0][0] = ttl;
	BER_BVZERO( &vals[0][1] );
	vals[1][0] = expire;
	BER_BVZERO( &vals[1][1] );
	mods[0].sml_op = LDAP_MOD_REPLACE;
	mods[0].sml_flags = SLAP_MOD_INTERNAL;
	mods[0].sml_desc = slap_schema.si_ad_entryTtl;
	mods[0].sml_type = mods[0].sml_desc->ad_cname;
	mods[0].sml_numvals = 1;
	mods[0].sml_values = vals[0];
	ml = &mods[0];
	if ( fuzz_ad_expire ) {
		mods[1] = mods[0];
		mods[1].sml_desc = fuzz_ad_expire;
		mods[1].sml_type = fuzz_ad_expire->ad_cname;
		mods[1].sml_values = vals[1];
		mods[0].sml_next = &mods[1];
	}
	if ( ils_record_patch( &rec, ml, &buf, &patched ) == LDAP_SUCCESS ) {
		/* a record that decoded still decodes, with the new TTL */
		if ( ils_record_decode( &key, &patched, &e2 ) == LDAP_SUCCESS ) {
			a = attr_find( e2->e_attrs, slap_schema.si_ad_entryTtl );
			if ( !a || a->a_numvals != 1 || !bvmatch( &a->a_vals[0], &ttl ) )
				abort();
			ils_record_free( e2 );
		} else if ( e ) {
			abort();
		}
		ch_free( buf );
	} else if ( e ) {
		abort();
	}
	if ( e )
		ils_record_free( e );
	free( rec.bv_val );
	return 0;
}

/* ---- dn ---- */

static int
fuzz_dn( const uint8_t *data, size_t size )
{
	struct berval bv, pdn, ndn;
	ils_name nm;

	bv.bv_val = malloc( size + 1 );
	memcpy( bv.bv_val, data, size );
	bv.bv_val[size] = '\0';
	bv.bv_len = size;
	if ( dnPrettyNormal( NULL, &bv, &pdn, &ndn, NULL ) == LDAP_SUCCESS ) {
		ils_parse_dn( &ndn, &nm );
		if ( ILSDN_IS_ENTRY( nm.in_dn.kind ) &&
			( nm.in_key.bv_len > ILS_KEYBUF || nm.in_key.bv_len < 1 ) )
			abort();
		ch_free( pdn.bv_val );
		ch_free( ndn.bv_val );
	}
	free( bv.bv_val );
	return 0;
}

/* ---- selftest ---- */

/* The harness must be able to fail: an input starting "UAF" reads a
 * freed block, which ASan (preloaded into slapd) reports and libFuzzer
 * turns into an artifact and a non-zero exit (tests/t-fuzz.sh). */
static int
fuzz_selftest( const uint8_t *data, size_t size )
{
	volatile char *p;

	if ( size >= 3 && !memcmp( data, "UAF", 3 ) ) {
		p = malloc( 16 );
		p[0] = 1;
		free( (void *)p );
		return p[0];
	}
	return 0;
}

/* ---- the ilsfuzz database ---- */

static const struct {
	const char *name;
	int (*fn)( const uint8_t *data, size_t size );
} fuzz_targets[] = {
	{ "filter", fuzz_filter },
	{ "record", fuzz_record },
	{ "dn", fuzz_dn },
	{ "selftest", fuzz_selftest },
	{ NULL, NULL }
};

static int
fuzz_db_open( BackendDB *be, ConfigReply *cr )
{
	int (*fn)( const uint8_t *data, size_t size );
	BackendDB *ils, *db;
	const char *text;
	int i;

	for ( i = 0; fuzz_targets[i].name; i++ )
		if ( !strcmp( fuzz_targets[i].name, fuzz_target ) )
			break;
	if ( !fuzz_targets[i].name ) {
		snprintf( cr->msg, sizeof( cr->msg ), "ilsfuzz: no target \"%s\"", fuzz_target );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		return 1;
	}
	fn = fuzz_targets[i].fn;
	/* the first ils database, whether or not dynttl is over it */
	ils = NULL;
	LDAP_STAILQ_FOREACH( db, &backendDB, be_next ) {
		BackendInfo *bi = overlay_is_over( db ) ?
			( (slap_overinfo *)db->bd_info->bi_private )->oi_orig : db->bd_info;
		if ( bi == &ils_bi ) {
			ils = db;
			break;
		}
	}
	if ( !ils || !ils->be_private ||
		!( (ils_info *)ils->be_private )->ii_ad_sttl ) {
		snprintf( cr->msg, sizeof( cr->msg ),
			"ilsfuzz: no open \"database ils\" before \"database ilsfuzz\"" );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		return 1;
	}
	connection_fake_init2( &fuzz_conn, &fuzz_opbuf,
		ldap_pvt_thread_pool_context(), 0 );
	fuzz_op = &fuzz_opbuf.ob_op;
	fuzz_op->o_bd = ils;
	fuzz_op->o_tmpmemctx = NULL;	/* malloc: see the top of the file */
	fuzz_op->o_tmpmfuncs = &ch_mfuncs;
	fuzz_op->o_protocol = LDAP_VERSION3;
	slap_str2ad( "dynttlExpireTime", &fuzz_ad_expire, &text );
	for ( i = 0; i < FUZZ_NENTRIES; i++ ) {
		char *s = ch_strdup( fuzz_ldif[i] );

		fuzz_entries[i] = str2entry2( s, 1 );
		if ( !fuzz_entries[i] )
			Debug( LDAP_DEBUG_ANY, "ilsfuzz: sample entry %d does not parse\n", i );
		ch_free( s );
	}
	/* never returns: libFuzzer exits */
	return LLVMFuzzerRunDriver( &fuzz_argc, &fuzz_argv, fn );
}

static BackendInfo fuzz_bi;

static int
fuzz_initialize( BackendInfo *bi )
{
	bi->bi_db_open = fuzz_db_open;
	return 0;
}

int
init_module( int argc, char *argv[] )
{
	int i;

	if ( argc < 1 ) {
		Debug( LDAP_DEBUG_ANY, "ilsfuzz: moduleload ilsfuzz.so TARGET [libFuzzer arguments]\n" );
		return -1;
	}
	/* the configuration's words go away after the line is read */
	fuzz_target = ch_strdup( argv[0] );
	fuzz_argc = argc;
	fuzz_argv = ch_calloc( argc + 1, sizeof( char * ) );
	fuzz_argv[0] = ch_strdup( "ilsfuzz" );
	for ( i = 1; i < argc; i++ )
		fuzz_argv[i] = ch_strdup( argv[i] );
	if ( ils_init_module( argc, argv ) )
		return -1;
	fuzz_bi.bi_type = "ilsfuzz";
	fuzz_bi.bi_init = fuzz_initialize;
	return backend_add( &fuzz_bi ) ? -1 : 0;
}
