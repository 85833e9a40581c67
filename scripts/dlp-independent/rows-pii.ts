/** Rows with PII: cards, IBANs, IPs, phones, e-mails, dates of birth, names, addresses, national ids. */
import { T, r } from './markup.ts';
import { bsn, card, codiceFiscale, dni, group, iban, iban4, int, nie, nino, ninoSpaced, nir, nirSpaced, pesel, pick, ssn } from './values.ts';

export function piiRows(): void {
  // ==== positives: payment cards ==================================================================

  r('ticket', `Hi, I was charged twice for order 10442. My card is ${T.card(group(card('4', 16), [4], ' '))} and both charges posted on 3 June. Please refund one of them.\nThanks, ${T.name('Daniel Okafor')}`);
  r('chat', `hey can u check why my card ${T.card(group(card('5' + int(1, 5), 16), [4], '-'))} keeps getting declined?? tried 3 times lol`);
  r('email', `Please update the corporate card on file to ${T.card(group(card('37', 15), [4, 6, 5], ' '))} (exp 09/27, CVV to follow by phone).`);
  r('csv', `order_id,customer,card,amount\n10442,${T.name('Lucía Fernández')},${T.card(card('6011', 16))},129.90\n10443,${T.name('Tom Becker')},${T.card(card('4', 16))},15.00`);
  r('log', `2024-06-11T09:14:22.311Z WARN payment-svc: raw PAN in request body pan=${T.card(card('3530', 16))} merchant=MRC-99812 amount=4200`);
  r('markdown', `| field | value |\n|---|---|\n| Card | ${T.card(group(card('36', 14), [4, 6, 4], ' '))} |\n| Holder | ${T.name('Hiroshi Tanaka')} |\n| Expiry | 11/26 |`);
  r('chat', `ok new card is ${T.card(group(card('2' + pick(['221', '450', '720']), 16), [4], ' '))} exp 04/28 pls retry the payment`);
  r('json', `{"payment":{"method":"card","cardNumber":"${T.card(card('62', 19))}","currency":"CNY"}}`);
  r('ticket', `Customer read the number over the phone as ${T.card(group(card('4', 16), [4], '.'))} - please verify and then delete this note.`);
  r('code', `test('charges the card', async () => {\n  await pay({ pan: '${T.card(card('51', 16))}', cvc: '123' });\n});`);

  // ==== positives: IBAN ===========================================================================

  r('email', `Dear ${T.name('Katrin Vogel')},\n\nplease wire the deposit to IBAN ${T.iban(iban4('DE'))} (BIC COBADEFFXXX).\n\nKind regards\nProperty Management`);
  r('chat', `mon iban c'est ${T.iban(iban4('FR'))} merci de faire le virement avant vendredi`);
  r('csv', `supplier,iban,bic\nNorthwind Ltd,${T.iban(iban('GB'))},NWBKGB2L\nZuidas BV,${T.iban(iban('NL'))},ABNANL2A`);
  r('yaml', `payout:\n  holder: "${T.name('Alejandro Ruiz')}"\n  iban: "${T.iban(iban4('ES'))}"\n  currency: EUR`);
  r('ticket', `pls refund to ${T.iban(iban('NL').toLowerCase())} thx`);
  r('email', `Coordinate bancarie per il rimborso: IBAN ${T.iban(iban4('IT'))}, intestato a ${T.name('Giulia Ferrari')}.`);
  r('markdown', `| Country | IBAN |\n|---|---|\n| BE | ${T.iban(iban4('BE'))} |\n| PL | ${T.iban(iban4('PL'))} |\n| CH | ${T.iban(iban4('CH'))} |`);
  r('email', `--\nHofbauer & Partner GmbH\nIBAN: ${T.iban(iban4('AT'))}\nUID: ATU12345678`);
  r('prose', `The rent goes to ${T.iban(iban('IE'))} on the first of every month.`);

  // ==== positives: IP addresses ===================================================================

  r('log', `Jun 11 03:12:09 bastion sshd[2291]: Failed password for invalid user admin from ${T.ip('185.220.101.47')} port 52144 ssh2`);
  r('log', `${T.ip('81.2.69.142')} - - [11/Jun/2024:10:01:33 +0000] "GET /api/v1/users/me HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64)"`);
  r('log', `INFO websocket: client connected from ${T.ip('2a01:4f8:c17:b8f::2')} (tls1.3)`);
  r('json', `{"remote_addr":"${T.ip('2a02:908:1a4:3c80:5d2e:9f1b:44a7:e0c3')}","status":403,"path":"/admin"}`);
  r('log', `X-Forwarded-For: ${T.ip('93.184.12.201')}, ${T.ip('172.70.54.3')}`);
  r('chat', `my home ip is ${T.ip('92.40.177.23')} can you whitelist it on the firewall pls`);
  r('log', `GET http://[${T.ip('2600:1f18:6c2:ab00::7f')}]:8080/health -> 503`);
  r('ticket', `The abuse report lists ${T.ip('45.33.32.156')} and ${T.ip('2607:f8b0:4005:80c::200e')} as the sources of the scan.`);
  r('csv', `ts,src_ip,dst_port\n1718096400,${T.ip('88.198.24.109')},443\n1718096401,${T.ip('31.13.71.36')},22`);

  // ==== positives: phones =========================================================================

  r('email', `Best,\n${T.name('Sarah Lindqvist')}\nAccount Manager, Nordlys AB\nTel: ${T.phone('+46 8 123 456 78')}\nMobile: ${T.phone('+46 70-123 45 67')}`);
  r('chat', `Call me at ${T.phone('(415) 555-0132')} after 5pm, or text`);
  r('email', `Office: ${T.phone('415.555.0199 ext. 23')} | Fax: ${T.phone('415.555.0198')}`);
  r('json', `{"name":"${T.name('Ava Thompson')}","phone":"${T.phone('+14155552671')}","optIn":true}`);
  r('chat', `ring me on ${T.phone('07700 900123')} or the office ${T.phone('+44 20 7946 0958')}`);
  r('email', `Mit freundlichen Grüßen\n${T.name('Jürgen Weiß')}\nTelefon: ${T.phone('+49 (0)30 1234 5678')}\nMobil: ${T.phone('0151 23456789')}`);
  r('chat', `tu peux m'appeler au ${T.phone('06 12 34 56 78')} ou au bureau ${T.phone('+33 1 42 68 53 00')}`);
  r('chat', `bel me even op ${T.phone('+31 6 12345678')}, ik ben thuis`);
  r('ticket', `Contatto: ${T.phone('+39 02 1234 5678')}; cliente spagnolo: ${T.phone('+34 612 345 678')}`);
  r('email', `Proszę o kontakt pod numerem ${T.phone('+48 512 345 678')}.`);
  r('csv', `office,phone\nBangalore,${T.phone('+91 98765 43210')}\nSydney,${T.phone('+61 2 9374 4000')}\nTokyo,${T.phone('+81 3-1234-5678')}`);
  r('email', `Direct line ${T.phone('+1-212-555-0147 x204')}`);
  r('chat', `meu whatsapp é ${T.phone('+55 11 91234-5678')}`);
  r('ticket', `Caller left a callback number: ${T.phone('0044 7700 900456')}.`);
  r('yaml', `contact:\n  name: ${T.name('Rahul Mehta')}\n  phone: "${T.phone('+1 312 555 0188')}"`);
  r('chat', `my number changed to ${T.phone('312-555-0176')} fyi`);

  // ==== positives: emails =========================================================================

  r('email', `Please send invoices to ${T.email('jane.doe+billing@mail.eu.acme-corp.co.uk')} from now on.`);
  r('chat', `pls send it to ${T.email('tomasz.w@wp.pl')} not the old one`);
  r('csv', `id,email,signup\n1,${T.email('first.last@gmail.com')},2024-05-01\n2,${T.email('x_y-z@proton.me')},2024-05-02`);
  r('log', `2024-06-11 10:22:01 INFO auth: login ok user=${T.email('ANNA.K@Outlook.COM')} mfa=totp`);
  r('markdown', `Questions? [Email me](mailto:${T.email('m.silva@empresa.com.br')}) or open an issue.`);
  r('log', `commit 4e1c9b7\nAuthor: ${T.name('Mei Chen')} <${T.email('mei.chen@fintech-labs.io')}>\nDate:   Tue Jun 11 09:12:44 2024 +0200`);
  r('email', `From: ${T.name('Kevin O\u2019Brien')} <${T.email('kevin.obrien@cs.uni-hamburg.de')}>\nTo: support\nSubject: cannot log in`);
  r('yaml', `maintainers:\n  - ${T.email('ops-oncall+pager@infra.northwind-traders.com')}`);

  // ==== positives: dates of birth =================================================================

  r('ticket', `Verification: name ${T.name('Laura Bennett')}, DOB: ${T.dob('03/14/1987')}, last 4 of card 4821.`);
  r('chat', `i was born on ${T.dob('14 March 1987')} if that helps verify my account`);
  r('form', `Full name: ${T.name('Nikolai Petrov')}\nDate of birth: ${T.dob('1990-07-02')}\nNationality: Bulgarian`);
  r('email', `${T.name('Lena Hoffmann')}, geboren am ${T.dob('02.07.1990')} in München, wohnhaft in Köln.`);
  r('email', `Mme ${T.name('Claire Dubois')}, née le ${T.dob('5 janvier 1982')} à Lyon.`);
  r('form', `Fecha de nacimiento: ${T.dob('23/11/1975')}`);
  r('ticket', `pt ${T.name('George Harris')}, d.o.b. ${T.dob('12-Apr-1969')}, allergic to penicillin`);
  r('csv', `name,dob,plan\n${T.name('Olivia Brown')},${T.dob('1985-12-31')},gold`);
  r('form', `Birthday: ${T.dob('Jan 5, 1992')}`);
  r('email', `Il paziente ${T.name('Luca Romano')}, data di nascita ${T.dob('18/09/1979')}, è stato dimesso.`);
  r('json', `{"firstName":"${T.name('Emma')}","lastName":"${T.name('Wilson')}","dateOfBirth":"${T.dob('1978-02-28')}"}`);
  r('chat', `dob ${T.dob('3/4/87')}`);

  // ==== positives: names and addresses ============================================================

  r('email', `Ship to:\n${T.name('Emily Watson')}\n${T.addr('42 Elm Street, Apt 3B\nSpringfield, IL 62704')}\nUSA`);
  r('ticket', `Neue Lieferadresse: ${T.name('Jürgen Weiß')}, ${T.addr('Lindenstraße 17, 10969 Berlin')}`);
  r('email', `Merci d'envoyer le colis à ${T.addr('12 rue de la Paix, 75002 Paris')}.`);
  r('chat', `send it to ${T.addr('14 Carlton Road, Manchester M16 8BE')} thanks`);
  r('form', `Adres: ${T.addr('Keizersgracht 123, 1015 CJ Amsterdam')}`);
  r('email', `Dirección de entrega: ${T.addr('Calle de Alcalá 45, 3º izq., 28014 Madrid')}`);
  r('email', `Indirizzo: ${T.addr('Via Roma 12, 20121 Milano MI')}`);
  r('form', `Adres zamieszkania: ${T.addr('ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa')}`);
  r('csv', `name,address\n${T.name('Carlos Mendoza')},"${T.addr('3871 Maple Ridge Dr, Austin, TX 78749')}"`);
  r('ticket', `Patient: ${T.name('Jean-Luc Moreau')}, referred by Dr. ${T.name('Anaïs Lefèvre')}`);
  r('email', `Dear Ms. ${T.name('Aoife Ní Bhriain')},\n\nthank you for your application.`);
  r('chat', `Attendees: ${T.name('Priya Raman')}, ${T.name('Oluwaseun Adeyemi')}, ${T.name('Li Wei')}`);
  r('csv', `employee_id,full_name,manager\nE1042,${T.name('Sofia Rossi')},${T.name('Marco Bianchi')}\nE1043,${T.name('Anna Kowalska')},${T.name('Marco Bianchi')}`);
  r('chat', `talked to ${T.name('john smith')} from accounts, he said its fine`);
  r('email', `${T.name('Robert Miller')}\n${T.addr('1208 Oak Avenue\nPortland, OR 97205')}`);

  // ==== positives: national identifiers ===========================================================

  r('ticket', `Customer SSN: ${T.ssn(ssn())} - needed for the credit check, delete after.`);
  r('chat', `my social security number is ${T.ssn(ssn().replaceAll('-', ' '))} do u need anything else`);
  r('csv', `name,ssn,state\n${T.name('Brian Clark')},${T.ssn(ssn().replaceAll('-', ''))},OH`);
  r('form', `Applicant: ${T.name('Megan Lewis')}\nSocial Security No.: ${T.ssn(ssn())}`);
  r('email', `Your National Insurance number ${T.nino(ninoSpaced(nino()))} has been added to your payroll record.`);
  r('yaml', `employee:\n  nino: ${T.nino(nino())}\n  tax_code: 1257L`);
  r('form', `BSN: ${T.bsn(bsn())}`);
  r('email', `Uw burgerservicenummer is ${T.bsn(((b) => `${b.slice(0, 4)}.${b.slice(4, 6)}.${b.slice(6)}`)(bsn()))}.`);
  r('csv', `naam,bsn\n${T.name('Daan de Vries')},${T.bsn(bsn())}`);
  r('form', `PESEL: ${T.pesel(pesel(1985, 3, 14, false))}`);
  r('email', `Pani ${T.name('Zofia Wiśniewska')}, nr PESEL ${T.pesel(pesel(2002, 11, 7, true))}, złożyła wniosek.`);
  r('form', `Codice Fiscale: ${T.cf(codiceFiscale('Romano', 'Luca', 1979, 9, 18, false, 'F205'))}`);
  r('email', `Gentile ${T.name('Chiara Esposito')}, il suo cod. fisc. ${T.cf(codiceFiscale('Esposito', 'Chiara', 1991, 4, 2, true, 'F839'))} risulta registrato.`);
  r('form', `DNI: ${T.nif(dni())}`);
  r('email', `Adjunto el NIE ${T.nif(((n) => `${n[0]}-${n.slice(1, 8)}-${n[8]}`)(nie()))} para el contrato.`);
  r('csv', `nombre,nif\n${T.name('Marta Gómez')},${T.nif(nie())}`);
  r('ticket', `NIF ${T.nif(((n) => `${n.slice(0, 2)}.${n.slice(2, 5)}.${n.slice(5, 8)}-${n[8]}`)(dni()))}`);
  r('form', `N° de sécurité sociale : ${T.nir(nirSpaced(nir()))}`);
  r('email', `Numéro de sécu de ${T.name('Paul Santoni')} : ${T.nir(nir('2A'))}`);
  r('csv', `nom,nir\n${T.name('Camille Martin')},${T.nir(nir())}`);

  r('csv', `cognome,nome,codice_fiscale\n${T.name('Conti')},${T.name('Elena')},${T.cf(codiceFiscale('Conti', 'Elena', 1988, 12, 25, true, 'L219'))}`);
  r('csv', `imie,nazwisko,pesel\n${T.name('Piotr')},${T.name('Zieliński')},${T.pesel(pesel(1972, 6, 30, false))}`);
  r('email', `NI No. ${T.nino(((n) => `${n.slice(0, 2)} ${n.slice(2, 8)} ${n[8]}`)(nino()))} - please use this on the P45.`);
  r('json', `{"applicant":{"name":"${T.name('Jessica Young')}","ssn":"${T.ssn(ssn())}"}}`);
  r('chat', `mon numéro de sécu c'est ${T.nir(nirSpaced(nir()))} voilà`);
}
