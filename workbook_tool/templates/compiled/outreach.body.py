from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = None

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_contact = resolve('contact')
    l_0_referrer = resolve('referrer')
    l_0_me = resolve('me')
    try:
        t_1 = environment.filters['capfirst']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'capfirst' found.")
    try:
        t_2 = environment.filters['default']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'default' found.")
    try:
        t_3 = environment.filters['first_name']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'first_name' found.")
    try:
        t_4 = environment.filters['sentence']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'sentence' found.")
    pass
    yield 'Dear '
    yield str(t_3(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'name')))
    yield ',\n\n'
    if (undefined(name='referrer') if l_0_referrer is missing else l_0_referrer):
        pass
        yield str(environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'name'))
        yield ' suggested I get in touch with you. '
    if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'personal_note'):
        pass
        yield str(t_4(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'personal_note')))
        yield ' '
    if (environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via') and (not (undefined(name='referrer') if l_0_referrer is missing else l_0_referrer))):
        pass
        yield str(t_1(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via_phrase')))
        yield ' suggested I get in touch with you. '
    yield 'I am '
    yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'job_status'))
    if environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'expertise'):
        pass
        yield ', and my area of expertise is '
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'expertise'))
    yield '. What I am looking for now is '
    yield str(t_2(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'seeking'), 'a new position'))
    yield '. '
    yield str(t_4(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'why_searching')))
    yield '\n\nTo be clear, I am not asking you for a job. Would you have '
    yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'meeting_length'))
    yield ' for me, at your office, to hear how you see the current market and what you would suggest for my search?\n\nThank you for considering it.\n\nBest regards,\n'
    if environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'signature'):
        pass
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'signature'))
    else:
        pass
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'your_name'))
    yield '\n'

blocks = {}
debug_info = '1=39&3=41&5=64&10=66'