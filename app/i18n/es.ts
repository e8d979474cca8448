import type { Catalog } from "./en";

/** El catálogo en español (tuteo, neutro). Las mismas claves que en.ts. */
export const es: Catalog = {
  // Layout
  "app.name": "Remix Auth Kit",
  "layout.skipToContent": "Saltar al contenido",
  "layout.mainNav": "Principal",
  "layout.dashboard": "Panel",
  "layout.admin": "Administración",
  "layout.logIn": "Iniciar sesión",
  "layout.register": "Registrarse",
  "layout.accountMenu": "Menú de la cuenta, sesión iniciada como ",
  "layout.account": "Cuenta",
  "layout.settings": "Ajustes",
  "layout.sessions": "Sesiones",
  "layout.activity": "Actividad",
  "layout.logOut": "Cerrar sesión",
  "layout.language": "Idioma",
  "error.title": "Algo salió mal",
  "error.message": "Se produjo un error inesperado. Vuelve a intentarlo.",
  "error.notFoundTitle": "Página no encontrada",
  "error.notFoundMessage": "No hay nada en esta dirección.",
  "error.forbiddenTitle": "Acceso denegado",
  "error.forbiddenMessage": "No tienes permiso para ver esta página.",
  "error.home": "Ir a la página de inicio",
  "error.formUnreadable": "No se pudo leer el formulario. Envíalo de nuevo.",
  "language.unknown": "Elige inglés o español.",

  // Home
  "home.description": "Inicio de sesión, sesiones y gestión de usuarios para Remix: seguro por defecto, un solo archivo para desplegar.",
  "home.title": "Tu cuenta, segura y en tus manos",
  "home.lead":
    "Remix Auth Kit te permite iniciar sesión, mantiene tus sesiones bajo tu control y protege tu cuenta, con o sin JavaScript, en el teléfono o en el ordenador.",
  "home.goToDashboard": "Ir a tu panel",
  "home.logIn": "Iniciar sesión",
  "home.createAccount": "Crear una cuenta",
  "home.features": "Lo que obtienes",
  "home.feature1Title": "Entra a tu manera",
  "home.feature1Text":
    "Una contraseña, una llave de acceso o la cuenta de tu empresa. «Recordarme» mantiene tu sesión abierta en tus propios dispositivos.",
  "home.feature2Title": "Doble factor bien hecho",
  "home.feature2Text":
    "Códigos de cualquier app de autenticación, códigos de recuperación por si pierdes el teléfono y un bloqueo tras demasiados intentos fallidos.",
  "home.feature3Title": "Ve cada dispositivo",
  "home.feature3Text": "Qué navegadores tienen la sesión iniciada, desde dónde y cómo; cierra la sesión de cualquiera con un clic.",
  "home.feature4Title": "Sabe qué pasó",
  "home.feature4Text":
    "Cada inicio de sesión, cambio de contraseña y token nuevo en tu registro de actividad, y un correo cuando cambia algo importante.",

  // Form pieces
  "form.email": "Correo electrónico",
  "form.password": "Contraseña",
  "form.name": "Nombre",
  "form.newPassword": "Contraseña nueva",
  "form.newPasswordHint": "Al menos {min} caracteres. Unas cuantas palabras sin relación entre sí forman una contraseña segura.",
  "form.correctFields": "Corrige los campos marcados.",
  "form.correctField": "Corrige el campo marcado.",
  "form.checkFields": "Revisa los campos marcados.",
  "form.checkField": "Revisa el campo marcado.",
  "form.saving": "Guardando…",

  // Validation
  "v.emailRequired": "El correo electrónico es obligatorio.",
  "v.emailTooLong": "El correo electrónico es demasiado largo.",
  "v.emailInvalid": "Escribe una dirección de correo válida.",
  "v.passwordRequired": "La contraseña es obligatoria.",
  "v.passwordTooShort": "La contraseña debe tener al menos {min} caracteres.",
  "v.passwordTooLong": "La contraseña es demasiado larga.",
  "v.passwordTooManyBytes":
    "La contraseña puede tener como máximo {maxBytes} bytes (unas {maxBytes} letras, menos con tildes o emojis).",
  "v.nameRequired": "El nombre es obligatorio.",
  "v.nameTooLong": "El nombre puede tener como máximo 100 caracteres.",
  "v.nameControl": "El nombre no puede contener caracteres de control.",
  "v.titleRequired": "El título es obligatorio.",
  "v.titleTooLong": "El título puede tener como máximo 200 caracteres.",
  "v.titleNul": "El título no puede contener caracteres NUL.",
  "v.bodyNotText": "El texto debe ser una cadena.",
  "v.bodyTooLong": "La nota puede tener como máximo 10 000 caracteres.",
  "v.bodyNul": "La nota no puede contener caracteres NUL.",
  "v.currentPasswordRequired": "Escribe tu contraseña actual.",
  "v.linkIncomplete": "El enlace está incompleto.",
  "v.linkInvalid": "El enlace no es válido.",
  "v.tickToConfirm": "Marca la casilla para confirmar.",
  "v.codeRequired": "Escribe el código.",
  "v.codeTooLong": "Ese código es demasiado largo.",
  "v.roleRequired": "Elige un rol.",
  "v.passwordWeak": "Esta contraseña es demasiado fácil de adivinar.",
  "v.passwordWeakAdvice": "Añade una o dos palabras más, menos comunes.",

  // Rate limits
  "tooMany.title": "Demasiados intentos",
  "tooMany.message": "Demasiados intentos. Vuelve a intentarlo en {wait} (después de las {clock} UTC).",
  "tooMany.generic": "Demasiados intentos. Espera un rato antes de volver a intentarlo.",
  "tooMany.backToLogin": "Volver a iniciar sesión",
  "wait.seconds": "{n} segundos",
  "wait.second": "1 segundo",
  "wait.minutes": "{n} minutos",
  "wait.minute": "1 minuto",
  "wait.hours": "{n} horas",
  "wait.hour": "1 hora",

  // Log in
  "login.title": "Iniciar sesión",
  "login.rememberMe": "Recordarme",
  "login.submit": "Iniciar sesión",
  "login.busy": "Iniciando sesión…",
  "login.forgot": "¿Olvidaste tu contraseña?",
  "login.newHere": "¿Eres nuevo?",
  "login.createAccount": "Crea una cuenta",
  "login.invalid": "Correo electrónico o contraseña incorrectos.",
  "login.required": "Inicia sesión para acceder a esta página.",
  "login.loggedOut": "Has cerrado la sesión.",
  "reauth.required": "Confirma tu identidad para acceder a esta página.",
  "login.expired": "Tu inicio de sesión ha caducado. Vuelve a iniciar sesión.",
  "providers.group": "Otras formas de iniciar sesión",
  "providers.or": "O inicia sesión con",
  "providers.signInWith": "Iniciar sesión con {label}",

  // Passkeys on the sign-in forms
  "passkey.signIn": "Iniciar sesión con una llave de acceso",
  "passkey.confirm": "Confirmar con una llave de acceso",
  "passkey.needsJsLogin": "Las llaves de acceso necesitan JavaScript. Sin él, inicia sesión con tu correo y tu contraseña.",
  "passkey.needsJsConfirm": "Las llaves de acceso necesitan JavaScript. Sin él, confirma con tu contraseña.",
  "passkey.unsupported": "Este navegador no admite llaves de acceso. Usa tu contraseña.",
  "passkey.waiting": "Esperando tu llave de acceso…",
  "passkey.tooMany": "Demasiados intentos. Espera un momento.",
  "passkey.unavailable": "Las llaves de acceso no están disponibles ahora. Recarga la página y vuelve a intentarlo.",
  "passkey.cancelled": "La solicitud de la llave de acceso se canceló o caducó.",
  "passkey.alreadyOnDevice": "Este dispositivo ya tiene una llave de acceso para tu cuenta.",
  "passkey.failed": "No se pudo usar la llave de acceso. Vuelve a intentarlo.",
  "passkey.responseMissing": "Falta la respuesta de la llave de acceso.",
  "passkey.unreadable": "No se pudo leer la respuesta de la llave de acceso.",
  "passkey.malformed": "No se pudo leer la respuesta de la llave de acceso. Vuelve a intentarlo.",
  "passkey.challenge": "Esta solicitud de llave de acceso caducó o ya se usó. Vuelve a intentarlo.",
  "passkey.origin": "La respuesta de la llave de acceso se generó para otro sitio web.",
  "passkey.unknownCredential":
    "Esta llave de acceso no está registrada aquí. Inicia sesión con tu contraseña o usa otra llave de acceso.",
  "passkey.otherUser": "Esta llave de acceso pertenece a otra cuenta.",
  "passkey.counter":
    "El contador de firmas de esta llave de acceso retrocedió, así que puede haber sido copiada. No se aceptó.",
  "passkey.userVerification": "La llave de acceso no te verificó (PIN o biometría). Vuelve a intentarlo.",
  "passkey.signature": "No se pudo verificar la llave de acceso.",
  "passkey.inactive": "Esta cuenta no puede iniciar sesión.",
  "passkey.duplicate": "Esta llave de acceso ya está registrada.",
  "passkey.tooManyPasskeys": "Puedes tener como máximo {max} llaves de acceso. Elimina una primero.",

  // Register
  "register.title": "Crear una cuenta",
  "register.submit": "Crear cuenta",
  "register.busy": "Creando la cuenta…",
  "register.haveAccount": "¿Ya tienes una cuenta?",
  "register.logIn": "Inicia sesión",
  "register.closedTitle": "El registro está cerrado",
  "register.closedText": "En este sitio, las cuentas las crea un administrador. Pídele una invitación al tuyo.",
  "register.back": "Volver al registro",
  "register.welcome":
    "¡Te damos la bienvenida, {name}! Tu cuenta está lista. Confirma tu dirección de correo con el enlace que enviamos a {email}.",
  "register.welcomeUnsent":
    "¡Te damos la bienvenida, {name}! Tu cuenta está lista, pero ahora mismo no pudimos enviar el correo de confirmación. Puedes volver a enviarlo desde tu perfil.",
  "register.emailTaken": "Ya existe una cuenta con este correo electrónico.",

  // Forgot / reset password
  "forgot.title": "¿Olvidaste tu contraseña?",
  "forgot.intro": "Escribe la dirección de correo de tu cuenta y te enviaremos un enlace para elegir una contraseña nueva.",
  "forgot.submit": "Enviar el enlace",
  "forgot.remembered": "¿Ya la recordaste?",
  "forgot.logIn": "Inicia sesión",
  "forgot.sentTitle": "Revisa tu correo",
  "forgot.sent":
    "Si existe una cuenta para {email}, le enviamos un enlace para restablecer la contraseña. El enlace funciona una sola vez y durante un tiempo limitado.",
  "forgot.noEmail": "¿No llega el correo después de unos minutos? Revisa la carpeta de spam o",
  "forgot.tryAgain": "vuelve a intentarlo",
  "forgot.back": "Volver a «¿Olvidaste tu contraseña?»",
  "reset.title": "Elige una contraseña nueva",
  "reset.intro": "Elige una contraseña nueva para {email}. Se cerrarán todas las sesiones de la cuenta.",
  "reset.chooseDifferent": "Elige otra contraseña.",
  "reset.checkPassword": "Revisa la contraseña.",
  "reset.submit": "Guardar la contraseña nueva",
  "reset.newLink": "Pedir un enlace nuevo",
  "reset.done": "Tu contraseña se cambió. Inicia sesión con tu contraseña nueva.",

  // Links from emails
  "link.invalidTitle": "Este enlace no es válido",
  "link.invalidBody": "Puede que el enlace esté incompleto o alterado. Copia el enlace completo del correo o pide uno nuevo.",
  "link.usedTitle": "Este enlace ya se usó",
  "link.usedBody": "Cada enlace funciona una sola vez.",
  "link.expiredTitle": "Este enlace caducó",
  "link.expiredBody": "Por tu seguridad, los enlaces de nuestros correos solo funcionan durante un tiempo limitado.",
  "link.supersededTitle": "Este enlace fue reemplazado",
  "link.supersededBody":
    "Se envió un enlace más reciente, o la cuenta cambió desde que se envió este. Usa el enlace del correo más reciente o pide uno nuevo.",
  "link.missingTitle": "Abre el enlace de tu correo",
  "link.missingBody": "Esta página funciona desde el enlace del correo que te enviamos.",
  "link.takenTitle": "Esta dirección ya está en uso",
  "link.takenBody": "Otra cuenta usa ahora esta dirección de correo, así que no se puede pasar a la tuya.",

  // Two-factor sign-in
  "twoFactorLogin.title": "Verificación en dos pasos",
  "twoFactorLogin.intro":
    "Tu contraseña es correcta. Escribe el código de 6 dígitos de tu app de autenticación para terminar de iniciar sesión.",
  "twoFactorLogin.code": "Código de verificación",
  "twoFactorLogin.hint": "¿Perdiste tu dispositivo? Escribe uno de tus códigos de recuperación (como abcde-23456).",
  "twoFactorLogin.busy": "Comprobando…",
  "twoFactorLogin.submit": "Verificar",
  "twoFactorLogin.startOver": "Empezar de nuevo",
  "twoFactor.invalidCode": "Ese código no es válido. Prueba con el código actual de tu app o con un código de recuperación.",
  "twoFactor.codeAlreadyUsed":
    "Ese código ya se usó. Espera a que aparezca el siguiente código en tu app (sale uno nuevo cada 30 segundos) y escribe ese.",
  "twoFactor.recoveryCodeUsed":
    "Usaste un código de recuperación; te quedan {left}. Genera códigos nuevos en Ajustes › Verificación en dos pasos si te quedan pocos.",

  // Emails
  "wait.days": "{n} días",
  "wait.day": "1 día",
  "mail.greeting": "Hola, {name}:",
  "mail.pasteLink": "O pega este enlace en tu navegador:",
  "mail.notYou": "Si no fuiste tú, restablece tu contraseña ahora: {link}",
  "mail.notYouSessions": "Si no fuiste tú, restablece tu contraseña ahora y revisa tus sesiones: {link}",
  "mail.confirm.subject": "Confirma tu dirección de correo en {app}",
  "mail.confirm.body": "Confirma que {email} es tu dirección de correo. Abre el enlace de abajo y pulsa el botón de la página.",
  "mail.confirm.action": "Confirmar tu dirección de correo",
  "mail.confirm.after": "El enlace funciona una sola vez y caduca en {duration}. Si no creaste una cuenta, puedes ignorar este correo.",
  "mail.change.subject": "Confirma tu nueva dirección de correo en {app}",
  "mail.change.body":
    "Pediste usar {email} como dirección de correo de tu cuenta. El cambio se hace cuando abras el enlace de abajo y pulses el botón de la página.",
  "mail.change.action": "Confirmar tu nueva dirección de correo",
  "mail.change.after": "El enlace funciona una sola vez y caduca en {duration}. Si no lo pediste, ignora este correo: no cambia nada.",
  "mail.changeNotice.subject": "Se está cambiando tu dirección de correo de {app}",
  "mail.changeNotice.body":
    "Alguien con la sesión iniciada en tu cuenta pidió cambiar su dirección de correo de {email} a {newEmail}. El cambio se hará cuando se confirme la nueva dirección.",
  "mail.changeNotice.cancel":
    "Para cancelarlo, inicia sesión y pulsa «Cancelar el cambio» en {link}. Cambiar o restablecer tu contraseña también lo cancela.",
  "mail.changeNotice.after":
    "Si no fuiste tú, restablece tu contraseña ahora (así se cancela el cambio y se cierran todas las sesiones): {link}",
  "mail.reset.subject": "Restablece tu contraseña de {app}",
  "mail.reset.body":
    "Alguien (esperamos que tú) pidió restablecer la contraseña de tu cuenta. Abre el enlace de abajo para elegir una nueva.",
  "mail.reset.action": "Elegir una contraseña nueva",
  "mail.reset.after":
    "El enlace funciona una sola vez y caduca en {duration}. Si no lo pediste, ignora este correo: tu contraseña sigue igual.",
  "mail.changed.subject": "Se cambió tu contraseña de {app}",
  "mail.changed.body": "Se acaba de cambiar la contraseña de tu cuenta y se cerraron todas las demás sesiones de tu cuenta.",
  "mail.twoFactor.enabledSubject": "La verificación en dos pasos está activada",
  "mail.twoFactor.enabledBody":
    "Se activó la verificación en dos pasos en tu cuenta. A partir de ahora, para iniciar sesión necesitas un código de tu app de autenticación o un código de recuperación.",
  "mail.twoFactor.disabledSubject": "La verificación en dos pasos está desactivada",
  "mail.twoFactor.disabledBody":
    "Se desactivó la verificación en dos pasos en tu cuenta. Ahora, para iniciar sesión solo necesitas tu contraseña.",
  "mail.twoFactor.codesSubject": "Se crearon códigos de recuperación nuevos",
  "mail.twoFactor.codesBody": "Se creó un conjunto nuevo de códigos de recuperación para tu cuenta; los anteriores ya no funcionan.",
  "mail.twoFactor.resetSubject": "Se restableció la verificación en dos pasos",
  "mail.twoFactor.resetBody":
    "Un administrador desactivó la verificación en dos pasos de tu cuenta (por ejemplo, porque perdiste tu dispositivo). Ahora, para iniciar sesión solo necesitas tu contraseña; tus códigos de recuperación ya no funcionan. Vuelve a configurarla en {link}.",
};
