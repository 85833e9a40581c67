/**
 * Templates with personal data, in the styles users send through a gateway: chat messages,
 * e-mails, support tickets, logs, CSV exports and form dumps. Names and addresses are labelled
 * wherever a person would call them personal data, even where no detector has context for them,
 * so the best-effort types are measured honestly.
 */
import * as v from './pii-values.ts';
import type { Rng } from './random.ts';
import { row, type Template } from './row.ts';

const E = 'pii.email';
const P = 'pii.phone';
const N = 'pii.person_name';
const A = 'pii.postal_address';

const intl = (r: Rng) => v.phone(r).international;

export const PII_TEMPLATES: readonly Template[] = [
  // --- chat
  (r) => row('chat', ['hey, can you draft a reply to ', [E, v.email(r)], ' saying we got the invoice? thx']),
  (r) => row('chat', ['My name is ', [N, v.personName(r)], ' and my number is ', [P, v.usPhone(r)], '. Please call after 5pm.']),
  (r) => row('chat', ["I'm travelling, reach me on ", [P, intl(r)], ' or by mail at ', [E, v.email(r)]]),
  (r) => row('chat', ['summarize this: customer says card ', ['pii.payment_card', v.formatCard(r, v.cardNumber(r).digits)], ' was charged twice on ', v.anyDate(r)]),
  (r) => row('chat', ['please pay the supplier, IBAN ', ['pii.iban', v.formatIban(r, v.iban(r))], ', reference INV-', r.digits(5)]),
  (r) => row('chat', ['fill the form for me: SSN ', ['pii.us_ssn', v.ssn(r)], ', DOB ', ['pii.date_of_birth', v.birthDate(r)]]),
  (r) => row('chat', ['my NI number is ', ['pii.uk_nino', v.nino(r)], ' - is that what HMRC wants on the form?']),
  (r) => row('chat', ['why is my login from ', ['pii.ip_address', v.publicIpv4(r)], ' blocked? it worked yesterday']),
  (r) => row('chat', ['I was born on ', ['pii.date_of_birth', v.birthDate(r)], ' so how old am I in days?']),
  (r) => row('chat', ['ship it to ', [A, v.postalAddress(r)], ' please, and text ', [P, v.usPhone(r)], ' when it leaves']),
  (r) => row('chat', ['can u check if this card works ', ['pii.payment_card', v.formatCard(r, v.cardNumber(r).digits, 'plain')], ' exp ', `${r.int(1, 12)}/${r.int(26, 31)}`, ' cvv ', r.digits(3)]),
  (r) => row('chat', ['Translate to Spanish: "Hello, this is ', [N, v.personName(r)], ', you can call me at ', [P, intl(r)], '."']),
  (r) => row('chat', ['rewrite politely: tell ', [E, v.email(r)], ' that their refund to ', ['pii.iban', v.formatIban(r, v.iban(r))], ' is on the way']),
  (r) => row('chat', ['the server at ', ['pii.ip_address', v.ipv6(r)], ' keeps timing out, any idea why?']),
  (r) => row('chat', ['Mi DNI es ', ['pii.es_nif', v.esDni(r)], ', ¿lo necesitas para la reserva?']),
  (r) => row('chat', ['codice fiscale: ', ['pii.it_fiscal_code', v.itFiscalCode(r)], ' - puoi compilare il modulo?']),
  (r) => row('chat', ['Mon numéro de sécurité sociale est ', ['pii.fr_nir', v.frNir(r)], ', merci de le reporter.']),
  (r) => row('chat', ['Mijn BSN is ', ['pii.nl_bsn', v.nlBsn(r)], ', kun je de aangifte invullen?']),
  (r) => row('chat', ['numer PESEL: ', ['pii.pl_pesel', v.plPesel(r)], ', data wizyty ', v.anyDate(r)]),
  (r) => row('chat', ['my Aadhaar number is ', ['pii.in_aadhaar', v.inAadhaar(r).replace(/(\d{4})(?=\d)/g, '$1 ')], ', can you fill the KYC form?']),
  (r) => row('form', ['Applicant: ', [N, v.personName(r)], '\nTax file number (TFN): ', ['pii.au_tfn', v.auTfn(r)], '\nState: NSW\n']),
  (r) => row('chat', ['Meu CPF é ', ['pii.br_cpf', v.brCpf(r).replace(/(\d{3})(\d{3})(\d{3})(\d{2})/, '$1.$2.$3-$4')], ', pode emitir a nota fiscal?']),
  (r) => row('form', ['성명: ', v.personName(r), '\n주민등록번호: ', ['pii.kr_rrn', v.krRrn(r)], '\n']),
  (r) => row('chat', ['请帮我核对一下身份证号 ', ['pii.cn_ric', v.cnRic(r)], ' 是否填写正确。']),
  (r) => row('email', ['Hi,\n\nfor the payroll setup my SIN is ', ['pii.ca_sin', v.caSin(r)], ' and my start date is ', v.anyDate(r), '.\n\nThanks\n']),
  (r) => row('chat', ['Henkilötunnukseni on ', ['pii.fi_hetu', v.fiHetu(r)], ', tarvitsetko muuta?']),
  (r) => row('email', ['Patient: ', [N, v.personName(r)], '\nNHS number: ', ['pii.gb_nhs', v.gbNhs(r)], '\nReferral to cardiology, routine.\n']),
  (r) => row('form', ['Name: ', [N, v.personName(r)], '\nNRIC: ', ['pii.sg_nric', v.sgNric(r)], '\nNationality: Singaporean\n']),
  // --- e-mail
  (r) => {
    const name = v.personName(r);
    const me = v.personName(r);
    return row('email', ['Dear ', [N, name], ',\n\nThank you for your order. We will deliver it to ', [A, v.postalAddress(r)], '.\nFor questions call ', [P, intl(r)], '.\n\nKind regards,\n', [N, me], '\n']);
  },
  (r) => {
    const name = v.personName(r);
    return row('email', ['From: ', [N, name], ' <', [E, v.email(r, name)], '>\nSubject: Payroll update\n\nHi,\nplease update my bank details to ', ['pii.iban', v.formatIban(r, v.iban(r))], '. My employee id is E', r.digits(6), '.\n\nThanks,\n', [N, name], '\n']);
  },
  (r) => row('email', ['Hello ', [N, v.personName(r).split(' ')[0]!], ',\n\nYour new card ending in ', r.digits(4), ' has shipped. If you did not request it, call ', [P, v.usPhone(r)], ' immediately.\n']),
  (r) => row('email', ['Hi team,\n\nNew hire paperwork: ', [N, v.personName(r)], ', SSN ', ['pii.us_ssn', v.ssn(r)], ', date of birth ', ['pii.date_of_birth', v.birthDate(r)], ', home address ', [A, v.postalAddress(r)], '.\n']),
  (r) => row('email', ['Patient: ', [N, v.personName(r)], '\nNHS referral, National Insurance number ', ['pii.uk_nino', v.nino(r)], '\nContact: ', [E, v.email(r)], '\n']),
  // --- support tickets and forms
  (r) => row('form', ['Name: ', [N, v.personName(r)], '\nEmail: ', [E, v.email(r)], '\nPhone: ', [P, v.usPhone(r)], '\nAddress: ', [A, v.postalAddress(r)], '\nMessage: my package never arrived\n']),
  (r) => row('form', ['cardholder: ', [N, v.personName(r)], '\ncard number: ', ['pii.payment_card', v.formatCard(r, v.cardNumber(r).digits)], '\nexpiry: ', `${String(r.int(1, 12)).padStart(2, '0')}/${r.int(26, 31)}`, '\n']),
  (r) => row('form', ['Geburtsdatum: ', ['pii.date_of_birth', v.birthDate(r)], '\nIBAN: ', ['pii.iban', v.formatIban(r, v.iban(r, 'DE'))], '\nTelefon: ', [P, v.phone(r, 'DE').international], '\n']),
  // --- logs
  (r) => row('log', [`${v.anyDate(r)}T${r.int(10, 23)}:${r.int(10, 59)}:${r.int(10, 59)}Z INFO auth login ok user=`, [E, v.email(r)], ' ip=', ['pii.ip_address', v.publicIpv4(r)], ` latency_ms=${r.int(3, 900)}`]),
  (r) => row('log', [`[${v.anyDate(r)} ${r.int(10, 23)}:${r.int(10, 59)}:${r.int(10, 59)}] WARN rate limit exceeded for client `, ['pii.ip_address', v.privateIpv4(r)], ` (${r.int(100, 999)} req/min) build 4.${r.int(1, 20)}.${r.int(0, 9)}`]),
  (r) => row('log', [['pii.ip_address', v.publicIpv4(r)], ` - - [${r.int(10, 28)}/Mar/2025:${r.int(10, 23)}:${r.int(10, 59)}:${r.int(10, 59)} +0000] "GET /api/v${r.int(1, 3)}/orders/${r.digits(8)} HTTP/1.1" 200 ${r.int(200, 9000)}`]),
  (r) => row('log', ['payment declined: pan=', ['pii.payment_card', v.cardNumber(r).digits], ' reason=insufficient_funds order=', r.digits(10), ' trace=', r.chars('0123456789abcdef', 16)]),
  (r) => row('log', ['sms dispatch to=', [P, intl(r)], ` status=delivered segments=${r.int(1, 3)} id=SM${r.chars('0123456789abcdef', 32)}`]),
  // --- CSV
  (r) => {
    const names = [v.personName(r), v.personName(r)];
    return row('csv', ['name,email,phone,city\n', [N, names[0]!], ',', [E, v.email(r, names[0])], ',', [P, v.usPhone(r).replace(/,/g, '')], ',Austin\n', [N, names[1]!], ',', [E, v.email(r, names[1])], ',', [P, intl(r)], ',Leeds\n']);
  },
  (r) => row('csv', ['id,ssn,dob,zip\n', r.digits(5), ',', ['pii.us_ssn', v.ssn(r)], ',', ['pii.date_of_birth', v.birthDate(r).replace(/,/g, '')], ',', r.digits(5), '\n']),
  (r) => row('csv', ['account_holder;iban;amount\n', [N, v.personName(r)], ';', ['pii.iban', v.iban(r)], `;${r.int(10, 9999)}.${r.digits(2)}\n`]),
  // --- JSON
  (r) => row('json', ['{"customer": {"name": "', [N, v.personName(r)], '", "email": "', [E, v.email(r)], '", "phone": "', [P, intl(r)], '", "last_ip": "', ['pii.ip_address', v.publicIpv4(r)], '"}}']),
  // --- more formats people use
  (r) => {
    const p = v.phone(r, r.pick(['GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'AU', 'IN']));
    return row('chat', [r.pick(['mobile: ', 'my cell is ', 'Tel. ', 'you can reach me at ', 'WhatsApp ']), [P, p.national], ' (', p.region, ')']);
  },
  (r) => row('chat', ['text me on ', [P, v.phone(r).international.replace(/\s/g, '')], ' if the courier is late']),
  (r) => row('email', ['From: "', [N, v.personName(r)], '" <', [E, v.email(r).toUpperCase()], '>\nTo: ', [E, 'billing@northwind.io'], '\nSubject: Re: invoice ', r.digits(6), '\n']),
  (r) => row('json', ['{"payment_method": {"card": {"number": "', ['pii.payment_card', v.cardNumber(r).digits], `", "exp_month": ${r.int(1, 12)}, "exp_year": ${r.int(2026, 2031)}, "cvc": "${r.digits(3)}"}}, "amount": ${r.int(100, 90000)}}`]),
  (r) => row('chat', ['pls refund the order, my card was ', ['pii.payment_card', v.formatCard(r, v.cardNumber(r).digits, 'dash')], ' and the last 4 on the receipt say ', r.digits(4)]),
  (r) => row('log', [`${v.anyDate(r)} 12:0${r.int(0, 9)}:1${r.int(0, 9)} nginx: `, ['pii.ip_address', v.publicIpv4(r)], ` "POST /login" 401 ua="curl/8.${r.int(0, 9)}.${r.int(0, 9)}" upstream=http://`, ['pii.ip_address', v.privateIpv4(r)], ':8080']),
  (r) => row('log', ['sshd[', r.digits(5), ']: Failed password for root from ', ['pii.ip_address', v.ipv6(r)], ` port ${r.int(1024, 65535)} ssh2`]),
  (r) => row('form', ['Date of birth: ', ['pii.date_of_birth', v.birthDate(r)], '\nPlace of birth: Leeds\nNational Insurance No: ', ['pii.uk_nino', v.nino(r)], '\n']),
  (r) => row('email', ['Hi ', [N, v.personName(r).split(' ')[0]!], ',\n\nplease send the contract to my new address: ', [A, v.postalAddress(r)], '.\n\nCheers,\n', [N, v.personName(r)], '\n']),
  (r) => row('chat', ['note for the doctor: patient DOB ', ['pii.date_of_birth', v.birthDate(r)], ', MRN ', r.digits(8), ', allergies: none, SSN on file XXX-XX-', r.digits(4)]),
  (r) => row('csv', ['email;iban;phone\n', [E, v.email(r)], ';', ['pii.iban', v.iban(r)], ';', [P, v.phone(r).international], '\n']),
  (r) => row('json', ['{"applicant": {"nino": "', ['pii.uk_nino', v.nino(r)], '", "dob": "', ['pii.date_of_birth', v.birthDate(r)], `", "ref": "APP-${r.digits(7)}"}}`]),
];
