// Package corpus holds the regression corpus test: every case of
// config/testdata/corpus, a small manifest set with its expected verdict in a header,
// goes through `bgplb lint`, the admission webhook's HTTP handler and the controller's
// evaluation, which must agree with each other and with the header; and, given a
// MetalLB checkout, MetalLB's own configsamples must lint clean.
//
// A case's header:
//
//	# verdict: accept | refuse      what bgplb says
//	# errors: code ...             the error codes, exactly (refuse)
//	# warnings: code ...           warning codes that must be among the findings
//	# metallb: accept | refuse     what MetalLB says; a difference is documented in
//	                               docs/migrating-from-metallb.md
//	# layer: schema                refused by the CRD schema, so only lint sees it
//	# why: ...                     the rule, in a sentence
package corpus
