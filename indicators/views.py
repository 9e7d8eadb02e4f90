def indicator_library(request):
    raise NotImplementedError


def indicator_detail(request, reference):
    raise NotImplementedError
