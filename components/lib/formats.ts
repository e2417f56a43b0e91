/**
 * Formats more than one component (and the stack's settings) accept: DNS names and e-mail addresses.
 * One pattern each, so the stack's config check and the components' checks cannot drift apart. Pure.
 */

/**
 * A lower-case DNS name of two or more labels, each 1-63 letters, digits or inner hyphens, at most 253
 * characters (RFC 1035 as Route 53 and ACM take it). The last label must hold a letter: a top-level
 * domain is never all digits, so an IPv4 address such as 10.0.0.1 is refused where a name belongs.
 */
export const HOSTNAME_PATTERN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.(?=[a-z0-9-]*[a-z])(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The longest name ACM issues a certificate for as its `DomainName`: RFC 5280 limits the subject's
 * Common Name to 64 octets, periods included (ACM API reference, RequestCertificate `DomainName`).
 */
export const ACM_DOMAIN_NAME_MAX_LENGTH = 64;

/**
 * An e-mail address SNS can deliver to: an RFC 5321 dot-atom local part (letters, digits and
 * ! # $ % & ' * + / = ? ^ _ ` { | } ~ -, dots only between characters), at most 64 characters, then @
 * and a DNS name as above (case-insensitive); 254 characters in all (RFC 5321 §4.5.3.1). Quoted local
 * parts, display names ("Ops <ops@example.com>"), lists and spaces are refused.
 */
export const EMAIL_PATTERN = /^(?=.{1,254}$)(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{1,63}$/;

/** What is wrong with `email` as an alert address, or `undefined`. */
export function emailProblem(email: string, arg: string): string | undefined {
    return EMAIL_PATTERN.test(email) ? undefined : `\`${arg}\` must be one e-mail address such as ops@example.com, at most 254 characters (got ${JSON.stringify(email)})`;
}

/** What is wrong with `name` as a public DNS name, or `undefined`. */
export function hostnameProblem(name: string, arg: string): string | undefined {
    return HOSTNAME_PATTERN.test(name) ? undefined : `\`${arg}\` must be a lower-case DNS name such as www.example.com, not an IP address (got ${JSON.stringify(name)})`;
}

/**
 * What is wrong with `domain` as the name ACM issues a certificate for, or `undefined`. Messages name
 * the LoadBalancer's argument; a longer name needs a certificate of its own (`certificateArn`).
 */
export function certificateDomainProblem(domain: string, arg = "https.domain"): string | undefined {
    return domain.length <= ACM_DOMAIN_NAME_MAX_LENGTH
        ? undefined
        : `\`${arg}\` must be at most ${ACM_DOMAIN_NAME_MAX_LENGTH} characters for ACM to issue its certificate (got ${domain.length}): ` +
              "a certificate's Common Name is limited to 64 octets; bring a certificate with the name as a SAN (`certificateArn`)";
}
