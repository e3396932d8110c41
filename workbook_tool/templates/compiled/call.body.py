from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = None

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_contact = resolve('contact')
    l_0_step = resolve('step')
    l_0_referrer = resolve('referrer')
    l_0_me = resolve('me')
    try:
        t_1 = environment.filters['default']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'default' found.")
    try:
        t_2 = environment.filters['longdate']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'longdate' found.")
    try:
        t_3 = environment.filters['lower']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'lower' found.")
    try:
        t_4 = environment.filters['oneline']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'oneline' found.")
    try:
        t_5 = environment.filters['sentence']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'sentence' found.")
    pass
    yield '# Call sheet: '
    yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'name'))
    yield '\n\n'
    yield str(environment.getattr((undefined(name='step') if l_0_step is missing else l_0_step), 'action'))
    yield '.\n\n## Details\n\n- **Name:** '
    yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'name'))
    yield '\n- **Organization:** '
    yield str(t_1(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'organization'), '—'))
    yield '\n- **Title:** '
    yield str(t_1(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'title'), '—'))
    yield '\n- **Phone:** '
    yield str(t_1(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'phone'), '—'))
    yield '\n- **Email:** '
    yield str(t_1(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'email'), '—'))
    yield '\n- **Referred by:** '
    if (undefined(name='referrer') if l_0_referrer is missing else l_0_referrer):
        pass
        yield str(environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'name'))
        if environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'organization'):
            pass
            yield ', '
            yield str(environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'organization'))
    else:
        pass
        yield '—'
    yield '\n'
    if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via'):
        pass
        yield '- **Connection:** '
        yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via'))
        if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'source'):
            pass
            yield ' ('
            yield str(t_3(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'source')))
            yield ')'
        yield '\n'
    if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'meeting_on'):
        pass
        yield '- **Meeting:** '
        yield str(t_2(context, environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'meeting_on')))
        if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'meeting_time'):
            pass
            yield ' at '
            yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'meeting_time'))
        yield '\n'
    if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'meeting_place'):
        pass
        yield '- **Place:** '
        yield str(t_4(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'meeting_place')))
        yield '\n'
    if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'notes'):
        pass
        yield '- **Notes so far:** '
        yield str(t_4(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'notes')))
        yield '\n'
    yield '\n## Presentation\n\n'
    if (undefined(name='referrer') if l_0_referrer is missing else l_0_referrer):
        pass
        yield '- '
        yield str(environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'name'))
        yield ' suggested I call you.\n'
    elif environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via'):
        pass
        yield '- Mention '
        yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via_phrase'))
        yield ', who put us in touch.\n'
    if (((environment.getattr((undefined(name='step') if l_0_step is missing else l_0_step), 'stage') == 'Awaiting reply') and environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'contacted_on')) and environment.getattr((undefined(name='step') if l_0_step is missing else l_0_step), 'channel')):
        pass
        yield '- I wrote to you on '
        yield str(t_2(context, environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'contacted_on')))
        if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'followed_up_on'):
            pass
            yield ' and again on '
            yield str(t_2(context, environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'followed_up_on')))
        yield ', and thought a call might be easier.\n'
    elif ((environment.getattr((undefined(name='step') if l_0_step is missing else l_0_step), 'stage') == 'Awaiting reply') and environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'contacted_on')):
        pass
        yield '- I am following up on my '
        if (environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'channel') and (t_3(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'channel')) == 'email')):
            pass
            yield 'message'
        else:
            pass
            yield 'call'
        yield ' of '
        yield str(t_2(context, t_1(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'followed_up_on'), environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'contacted_on'))))
        yield ', knowing how busy you are.\n'
    yield '- I am '
    yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'job_status'))
    if environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'expertise'):
        pass
        yield '; my area of expertise is '
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'expertise'))
    yield '.\n- What I am looking for now is '
    yield str(t_1(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'seeking'), 'a new position'))
    yield '.\n- '
    yield str(t_5(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'why_searching')))
    yield '\n- To be clear, I am not asking you for a job. Could I have '
    yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'meeting_length'))
    yield ' of your time, at your office, to hear how you see the current market and what you would suggest for my search?\n\n## Questions\n\n1. How do you see the job market in your field right now? Who is hiring, and which skills are in demand?\n2. How did you come to your role'
    if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'organization'):
        pass
        yield ' at '
        yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'organization'))
    yield '?\n3. What would you advise someone in my position to do next?\n4. Whom else should I talk to? May I say that you suggested them?\n\n## Notes\n\n- Date and time:\n- What they said:\n- Something helpful (for the thank-you):\n- People they recommended (name, email or phone, organization):\n- Follow-up:\n'

blocks = {}
debug_info = '1=46&3=48&7=50&8=52&9=54&10=56&11=58&12=60&13=71&14=74&16=81&17=84&19=90&20=93&22=95&23=98&28=101&29=104&30=106&31=109&33=111&34=114&35=120&36=123&38=133&39=139&40=141&41=143&46=145'