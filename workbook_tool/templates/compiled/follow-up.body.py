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
    l_0_pending_referrals = resolve('pending_referrals')
    try:
        t_1 = environment.filters['and_list']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'and_list' found.")
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
        t_4 = environment.filters['longdate']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'longdate' found.")
    try:
        t_5 = environment.filters['lower']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'lower' found.")
    try:
        t_6 = environment.filters['phrase']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'phrase' found.")
    pass
    yield 'Dear '
    yield str(t_3(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'name')))
    yield ',\n\n'
    if (environment.getattr((undefined(name='step') if l_0_step is missing else l_0_step), 'stage') == 'Thanked'):
        pass
        yield 'I hope you are well. Thank you again for our conversation'
        if (undefined(name='referrer') if l_0_referrer is missing else l_0_referrer):
            pass
            yield ', which I owe to '
            yield str(environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'name'))
        elif environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via'):
            pass
            yield ', which I owe to '
            yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via_phrase'))
        if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'helpful'):
            pass
            yield '; I keep coming back to '
            yield str(t_6(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'helpful')))
        yield '. A short update: I am still looking for '
        yield str(t_2(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'seeking'), 'a new position'))
        yield '.'
        if (undefined(name='pending_referrals') if l_0_pending_referrals is missing else l_0_pending_referrals):
            pass
            yield ' I will soon get in touch with '
            yield str(t_1((undefined(name='pending_referrals') if l_0_pending_referrals is missing else l_0_pending_referrals)))
            yield ', as you suggested.'
        yield ' If I can ever return the favor, please let me know.\n'
    else:
        pass
        yield 'I am following up on my '
        if (environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'channel') and (t_5(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'channel')) == 'call')):
            pass
            yield 'call'
        else:
            pass
            yield 'note'
        yield ' of '
        yield str(t_4(context, t_2(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'followed_up_on'), environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'contacted_on'))))
        if (undefined(name='referrer') if l_0_referrer is missing else l_0_referrer):
            pass
            yield ' ('
            yield str(environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'name'))
            yield ' suggested I contact you)'
        elif environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via'):
            pass
            yield ' ('
            yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via_phrase'))
            yield ' suggested I contact you)'
        yield ', knowing how busy you are. I am not asking for a job: I would still be grateful for '
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'meeting_length'))
        yield ' of your time, at your office, to hear your view of the current market and your advice for my search. Would a day in the next two weeks suit you? If now is not a good time, I understand.\n'
    yield '\nBest regards,\n'
    if environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'signature'):
        pass
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'signature'))
    else:
        pass
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'your_name'))
    yield '\n'

blocks = {}
debug_info = '1=53&3=55&4=58&6=82&10=104'