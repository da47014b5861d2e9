package rdstats

// intern returns the string of raw, without allocating for the values
// librdkafka repeats in every document (states and types).
func intern(raw []byte) string {
	switch string(raw) {
	case "":
		return ""
	// fetch_state
	case "none":
		return "none"
	case "stopping":
		return "stopping"
	case "stopped":
		return "stopped"
	case "offset-query":
		return "offset-query"
	case "offset-wait":
		return "offset-wait"
	case "validate-epoch-wait":
		return "validate-epoch-wait"
	case "active":
		return "active"
	// broker state
	case "INIT":
		return "INIT"
	case "DOWN":
		return "DOWN"
	case "TRY_CONNECT":
		return "TRY_CONNECT"
	case "CONNECT":
		return "CONNECT"
	case "SSL_HANDSHAKE":
		return "SSL_HANDSHAKE"
	case "AUTH_LEGACY":
		return "AUTH_LEGACY"
	case "UP":
		return "UP"
	case "UPDATE":
		return "UPDATE"
	case "APIVERSION_QUERY":
		return "APIVERSION_QUERY"
	case "AUTH_HANDSHAKE":
		return "AUTH_HANDSHAKE"
	case "AUTH_REQ":
		return "AUTH_REQ"
	case "REAUTH":
		return "REAUTH"
	// type
	case "producer":
		return "producer"
	case "consumer":
		return "consumer"
	}
	return string(raw)
}
