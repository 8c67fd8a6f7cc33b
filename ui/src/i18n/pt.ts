import type { Messages } from './index';

export const pt: Messages = {
  languageName: 'Português',
  switchLanguageTo: (target) => `Mudar a língua para ${target}`,
  environment: {
    label: 'Ambiente',
    names: {
      sandbox: 'Formação (sandbox)',
      staging: 'Testes (staging)',
      production: 'Produção',
    },
    notValid: 'não válido',
    valid: 'assinaturas válidas',
    explanation: {
      sandbox: 'As assinaturas feitas aqui não têm valor legal: use este ambiente para aprender e experimentar.',
      staging: 'Serviço de testes da Multicert: as assinaturas feitas aqui não têm valor legal.',
      production: 'As faturas assinadas aqui ficam com assinatura digital válida.',
    },
    loading: 'A verificar o ambiente…',
    unknown: 'Ambiente desconhecido',
  },
  dropZone: {
    title: 'Arraste faturas (PDF ou XML) ou pastas para aqui',
    addFiles: 'Adicionar ficheiros…',
    addFolder: 'Adicionar pasta…',
    notYetAvailable: 'Ainda não disponível nesta versão.',
  },
  footer: {
    version: (version) => `Versão ${version}`,
    versionUnknown: 'Versão desconhecida',
  },
  errors: {
    appInfoFailed: 'Não foi possível saber em que ambiente a aplicação está, por isso nada será assinado.',
    codes: {
      sandbox_unavailable: 'O ambiente de formação não arrancou. Feche a aplicação e abra-a de novo.',
      internal: 'Ocorreu um erro interno. Feche a aplicação e abra-a de novo; se voltar a acontecer, contacte o suporte.',
      unknown: 'Ocorreu um erro inesperado. Feche a aplicação e abra-a de novo; se voltar a acontecer, contacte o suporte.',
    },
    detail: (code, message) => `Detalhe para o suporte: ${code} — ${message}`,
  },
};
